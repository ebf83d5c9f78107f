"""Fixtures for the simulator's own tests: real HTTP(S) to an in-process simulator."""
import pytest
from sim_helpers import Control, Papi

from onefs_sim import Simulator


@pytest.fixture
def demo():
    sim = Simulator.from_scenario("demo", job_seconds=0.05).start()
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def control(demo):
    return Control(demo.control_url)


@pytest.fixture
def alpha(demo):
    c = Papi(demo.clusters["alpha"])
    yield c
    c.close()


@pytest.fixture
def beta(demo):
    c = Papi(demo.clusters["beta"])
    yield c
    c.close()
