"""NLU package of the 総武ガス privacy-policy assistant (custom Rasa components in ``nlu.components``)."""
