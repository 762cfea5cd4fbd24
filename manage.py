#!/usr/bin/env python
from telesales.cli import main

if __name__ == "__main__":
    main()
