"""Evaluations: one questionnaire engine behind six activity kinds (issue 15), one module per seam.

- `grading`: what an answer may be and what it earns (pure: no database).
- `draws`: the seeded random draw of a certification's questions (pure).
- `library`: the organisation's questionnaires, banks and questions (`Bibliothèque de questionnaires`),
  their gate and their validation.
- `transfer`: a questionnaire as versioned JSON, exported and imported whole or not at all.
- `uses`: which questionnaire an activity uses, and at which moment.
- `attempts`: a learner starts, answers (drafts), submits; what their browser may see.
- `results`: what trainers and staff read: per learner, progression before / after, anonymous aggregates.
- `grids`: third-party grids, the competencies framework, acquired competencies, self-assessment.

Every function that reads or writes a session's data takes the actor and goes through
`app.services.access.access_activity` with the capability it needs.
Import the module you need (`from app.services.evaluations import attempts`); this package re-exports nothing.
"""
