"""Training sessions, one module per seam (the gate is `app.services.access`).

- `modules`: a session's modules in timeline order, and staff reordering them.
- `locks`: which modules are still closed to a learner (the opening rules, walked in timeline order).
- `view`: the timeline a member sees on the session's page.
- `people`: trainers, tutors and learners on the session.
- `status`: draft → active → finished → archived.

Import the module you need (`from app.services.sessions import people`); this package re-exports nothing.
"""
