"""Client feedback after meetings: questionnaires as versioned data, scoring and management figures.

A questionnaire is a JSON definition (``questionnaires/*.json``) checked by
``definitions.QuestionnaireSchema``; nothing instrument-specific lives in the code. ``scoring``
turns one set of answers into a score (cut-off, alliance alert) and two totals into a reliable
change (Jacobson-Truax) where the definition gives the norms for it.
"""

__version__ = "1.0.0"
