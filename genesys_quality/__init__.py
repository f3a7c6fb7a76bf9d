"""genesys_quality: Genesys Cloud QM evaluation scores into a warehouse, month by month."""
