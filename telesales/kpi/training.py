"""KPIs of this area (PRODUCT.md §5); registered with telesales.kpi.registry on import."""
