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

"""Fixtures of the life-cycle tests: one real Ironic, real BMCs, a real agent.

``lifecycle_lab`` (one per session) builds (or takes from the cache) the
deploy ramdisks of both architectures, then starts a
:class:`multiarch_lab.lifecycle.LifecycleLab`: a network namespace with
dnsmasq on Ironic's files, libvirtd, sushy-tools and VirtualBMC, and one
Ironic (API and conductor, sqlite) listening where the agent reaches it.
Serial logs and Ironic's log stay under pytest's base temporary directory.
"""

import os
import sys

import pytest

from multiarch_lab import lifecycle
from multiarch_lab import lifecycle_run


def _progress(text):
    sys.stderr.write('[lab] %s\n' % text)
    sys.stderr.flush()


@pytest.fixture(scope='session')
def lifecycle_lab(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip('the life-cycle lab needs root (namespaces, libvirtd)')
    workdir = tmp_path_factory.mktemp('lifecycle')
    ll = lifecycle.LifecycleLab(str(workdir), progress=_progress)
    ll.start()
    try:
        yield ll
    finally:
        ll.close()


@pytest.fixture(scope='session')
def runner(lifecycle_lab):
    return lifecycle_run.Runner(lifecycle_lab, progress=_progress)
