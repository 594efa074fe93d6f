"""The risk library: the risks riskbook knows, with their KRIs, responses and recommended actions."""
