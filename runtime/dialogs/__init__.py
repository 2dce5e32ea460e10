"""Dialog tasks: their model, loading and validation, compilation and drawing."""
