"""One import framework for every file contract of PRODUCT.md §7."""
