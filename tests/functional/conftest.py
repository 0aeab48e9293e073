# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Fixtures of the functional tests: one real Ironic with this plugin.

Ironic (API and conductor in one process, sqlite, 127.0.0.1) runs as a
subprocess, configured for the hybrid fleet of
:mod:`multiarch_lab.demo_fleet`: fake deploy images and dummy loaders
per architecture, all ``file://`` inside the work directory. If Ironic
cannot start, the fixture errors with the tail of Ironic's log: nothing is
skipped.
"""

import os

import pytest

from multiarch_lab import demo_fleet
from multiarch_lab import standalone

HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(config, items):
    """Mark every test of this directory ``functional``."""
    for item in items:
        if str(item.fspath).startswith(HERE + os.sep):
            item.add_marker(pytest.mark.functional)


@pytest.fixture(scope='session')
def ironic(tmp_path_factory):
    """A running :class:`~multiarch_lab.standalone.StandaloneIronic`.

    Shared by the whole session and stopped at its end. Its work
    directory holds the TFTP/HTTP roots (``ironic.tftp_root``,
    ``ironic.http_root``), the dnsmasq files and ``ironic.log``.
    """
    workdir = str(tmp_path_factory.mktemp('ironic'))
    server = standalone.StandaloneIronic(
        workdir, extra_conf=demo_fleet.multiarch_conf(workdir))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def conn(ironic):
    """An openstacksdk connection to the running Ironic."""
    return ironic.connection()
