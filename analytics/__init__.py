"""What customers ask, for analysts, without who asked: Rasa's event stream → de-identified facts → figures."""
