"""The Today page (`/`): the questionnaire until it is done, then the day at a glance."""
