"""The people side of a telesales team (source §2.2): training, development, recruiting,
motivation and the supervisors' work reports, each an app of its own."""
