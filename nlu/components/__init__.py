"""Custom Rasa 3.6 graph components for Japanese NLU.

Referenced from config.yml by module path, e.g.
``- name: nlu.components.normalizer.JapaneseTextNormalizer``.
Rasa must be run from the project root so that ``nlu`` is importable.
"""
