"""A case's support plan as a working plan: its HTCDS 2.0 types, an action plan of steps
(each with an owning agency, a person where known, a due date and a status), a supervisor's
approval of the assessment and of the case plan (four eyes, decision 0094; a change needs a
new approval, decision 0096), and reminders of steps due. The routes live on the services
blueprint (/services/plan/...)."""
