"""The sample university of ``dj demo``: word pools (``words``) and the
generator that makes branches, colleges, people, a year of activity and the
planted mistakes (``generate``)."""
