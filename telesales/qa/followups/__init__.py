"""Follow-up record checks (source §2.1.2: the supervisor *checks customers' follow-up
records*; PRODUCT.md §3 2.1.2): who may check whom, the per-rep overview of follow-up
hygiene, the seeded weekly sample of a rep's customers, the checklist and its verdict, the
writes (create, finish a draft, acknowledge, discard) and the demo step.

The CRM is read here, never written: customers, their outcomes and timeline stay crm's.

Modules: rules (settings, verdict, sample order), access (who checks whom, scoped fetches),
records (a customer's record as the checker reads it), selectors (the sample, the overview,
the list), services (the writes) and demo.
"""
