"""SCORM 1.2 and 2004 e-learning: packages (upload, checks, unpacking), the run-time data model, tracking."""
