"""Tests of the plan language (compengine.plan) and `compengine plan check`."""
