"""riskbook watch: real-time monitoring between packs (rules, alert state, channels, live page)."""
