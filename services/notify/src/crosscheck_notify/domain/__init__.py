"""The notify domain: aggregates, their events and rules.

Plain Python and pydantic only: nothing from FastAPI, FastStream or asyncpg.
"""
