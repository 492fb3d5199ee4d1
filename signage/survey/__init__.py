"""Survei Kepuasan Masyarakat: asking the served visitor, and the IKM per PermenPANRB 14/2017.

`ikm` is the arithmetic (plain Python, exact fractions), `questionnaire` the regulation's nine
elements and profile fields, `surveys` the use cases (tokens, responses, reports, settings).
"""
from .ikm import ELEMENTS, compute, grade, grade_of_index, minimum_sample  # noqa: F401
