"""Tests of compengine.results."""
