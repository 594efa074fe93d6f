"""The bundled demo company: deterministic canonical tables with injected risks and their ground truth."""
