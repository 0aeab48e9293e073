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

"""The lab's network namespaces: creating, listing and removing them.

Namespaces are named ``malab-<pid>-<n>`` after the process that made
them, so a new lab can remove those whose process is gone.
"""

import logging
import os
import re
import signal
import subprocess

LOG = logging.getLogger(__name__)

PREFIX = 'malab'
_NS_RE = re.compile(r'^%s-(\d+)-\d+$' % PREFIX)


def ip(*args, check=True):
    """Run ``ip`` with ``args``.

    :returns: the completed process (text output).
    """
    return subprocess.run(['ip'] + list(args), check=check, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def namespaces():
    """:returns: the names of the network namespaces."""
    out = ip('netns', 'list', check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def kill_namespace(ns):
    """Kill every process in ``ns`` (by id) and delete it."""
    pids = ip('netns', 'pids', ns, check=False).stdout.split()
    for pid in pids:
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass
    ip('netns', 'del', ns, check=False)


def sweep_stale():
    """Remove lab namespaces whose creating process is gone.

    :returns: the names removed.
    """
    removed = []
    for ns in namespaces():
        match = _NS_RE.match(ns)
        if match and not os.path.exists('/proc/%s' % match.group(1)):
            LOG.warning('Removing stale lab namespace %(ns)s', {'ns': ns})
            kill_namespace(ns)
            removed.append(ns)
    return removed
