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

"""Take nodes of a :class:`~multiarch_lab.lifecycle.LifecycleLab` through
their whole life, all at the same time, through openstacksdk.

Each node runs its phases in a thread of its own: enroll and manage,
optionally in-band inspection, ``provide`` (automated cleaning: a
metadata erase), deploy of the lab's whole-disk image, local boot of the
deployed disk, rescue with a password, unrescue, and undeploy. What each
phase took and what the machine printed are kept in a :class:`NodeRun`.
"""

import argparse
import concurrent.futures
import contextlib
import dataclasses
import os
import re
import shutil
import sys
import tempfile
import threading
import time

from multiarch_lab import console
from multiarch_lab import disk_image
from multiarch_lab import lifecycle

#: What the deploy ramdisk's init prints (see ``ipa_init.sh``).
AGENT_LINE = re.compile(r'ironic-multiarch-ipa: arch=(\S+) consoles=(\S*)')
RESCUE_LINE = re.compile(r'ironic-multiarch-ipa: rescue user=rescue '
                         r'hash=(\S+)')
LOCAL_LINE = re.compile(re.escape(disk_image.LOCAL_BOOT_MARKER)
                        + r' arch=(\S+)')
FAILED_STATES = ('clean failed', 'deploy failed', 'rescue failed',
                 'unrescue failed', 'inspect failed', 'error')
RESCUE_PASSWORD = 'multiarch-rescue'
#: Seconds a phase may take (TCG, two machines on two cores).
PHASE_TIMEOUT = 900


class PhaseFailed(AssertionError):
    """A node did not reach a phase's state; names the node and cause."""


@dataclasses.dataclass
class NodeRun:
    """What happened to one node."""

    name: str
    arch: str
    uuid: str = None
    phases: dict = dataclasses.field(default_factory=dict)   # name -> s
    evidence: dict = dataclasses.field(default_factory=dict)  # name -> text
    #: ``<phase>-start`` and ``<phase>`` (its end): monotonic times.
    marks: dict = dataclasses.field(default_factory=dict)
    error: str = None


def wait_state(conn, uuid, name, target, timeout, serial):
    deadline = time.monotonic() + timeout
    while True:
        node = conn.baremetal.get_node(uuid)
        if node.provision_state == target and not node.target_provision_state:
            return node
        if node.provision_state in FAILED_STATES:
            raise PhaseFailed('%s: %s (last_error: %s)\nserial tail:\n%s' % (
                name, node.provision_state, node.last_error,
                serial()[-1500:]))
        if time.monotonic() > deadline:
            raise PhaseFailed('%s: not %s after %ss (is %s, last_error %s)'
                              '\nserial tail:\n%s' % (
                                  name, target, timeout, node.provision_state,
                                  node.last_error, serial()[-1500:]))
        time.sleep(2)


def _wait_text(pattern, serial, since, timeout, name, what):
    deadline = time.monotonic() + timeout
    while True:
        text = serial()[since:]
        match = pattern.search(text)
        if match:
            return match
        if time.monotonic() > deadline:
            raise PhaseFailed('%s: no %s in the serial log after %ss; tail:'
                              '\n%s' % (name, what, timeout, text[-1500:]))
        time.sleep(2)


class Runner(object):
    """Drives the nodes of a started LifecycleLab.

    :param ll: :class:`~multiarch_lab.lifecycle.LifecycleLab`.
    :param progress: ``callable(text)`` for progress lines.
    """

    def __init__(self, ll, progress=None):
        self.ll = ll
        self.conn = ll.ironic.connection()
        self.progress = progress or (lambda text: None)
        self.start = time.monotonic()
        self._hashing = threading.Lock()

    def _say(self, run, text):
        self.progress('%6.0fs  %-17s %s' % (time.monotonic() - self.start,
                                            run.name, text))

    def enroll(self, spec, inspect=False):
        """Create the node and its port; validate; ``manage``."""
        node = self.conn.baremetal.create_node(
            name=spec.name, driver=spec.driver,
            boot_interface=spec.boot_interface, deploy_interface='direct',
            rescue_interface='agent',
            inspect_interface='agent' if inspect else 'no-inspect',
            automated_clean=True,
            properties={'cpu_arch': spec.arch,
                        'capabilities': 'boot_mode:uefi'},
            driver_info=self.ll.driver_info(spec))
        self.conn.baremetal.create_port(node_id=node.id, address=spec.mac,
                                        pxe_enabled=True)
        result = self.conn.baremetal.validate_node(node.id, required=None)
        for iface in ('boot', 'power', 'management'):
            if not result[iface].result:
                raise PhaseFailed('%s: %s interface invalid: %s' % (
                    spec.name, iface, result[iface].reason))
        return node.id

    def _phase(self, run, name, verb, target, **kwargs):
        serial = lambda: self.ll.serial_log(run.name)   # noqa: E731
        since = len(serial())
        t0 = run.marks[name + '-start'] = time.monotonic()
        self._say(run, '%s -> %s' % (verb, target))
        # Ironic hashes a rescue password in the API's synchronous call to
        # the conductor, with oslo.utils' crypt_password: libcrypt's
        # crypt(), whose result lives in one static buffer. Two requests
        # at the same moment corrupt each other's hash (stock Ironic too),
        # so the lab sends them one at a time.
        with (self._hashing if 'rescue_password' in kwargs
              else contextlib.nullcontext()):
            self.conn.baremetal.set_node_provision_state(run.uuid, verb,
                                                         **kwargs)
        wait_state(self.conn, run.uuid, run.name, target, PHASE_TIMEOUT,
                    serial)
        run.marks[name] = time.monotonic()
        run.phases[name] = run.marks[name] - t0
        self._say(run, '%s: %s in %.0fs' % (name, target, run.phases[name]))
        return serial, since

    def _local_boot(self, run, serial, since, phase):
        t0 = time.monotonic()
        match = _wait_text(LOCAL_LINE, serial, since, 300, run.name,
                           'local boot of the deployed disk')
        run.evidence[phase] = match.group(0)
        run.phases[phase] = time.monotonic() - t0
        self._say(run, '%s: %s' % (phase, match.group(0)))

    def _rescue_login(self, run):
        """Log in as the rescue user on the serial console: a wrong
        password must be refused, the one given to Ironic accepted."""
        t0 = time.monotonic()
        user, machine = console.login(
            self.ll.domains[run.name].console_socket, 'rescue',
            RESCUE_PASSWORD, wrong_password='not-' + RESCUE_PASSWORD)
        run.evidence['rescue-login'] = 'user=%s arch=%s' % (user, machine)
        run.phases['rescue-login'] = time.monotonic() - t0
        self._say(run, 'rescue login (after a wrong password, refused): '
                  + run.evidence['rescue-login'])

    def life(self, spec, inspect=False, rescue=True, together=None):
        """Take one node through its life; :returns: :class:`NodeRun`.

        :param together: a :class:`threading.Barrier` the nodes of a run
            meet at once each is ``active`` and booted from its disk, so
            that they are all active at the same time before any goes on.
        """
        run = NodeRun(spec.name, spec.arch)
        try:
            t0 = time.monotonic()
            run.uuid = self.enroll(spec, inspect=inspect)
            self._phase(run, 'manage', 'manage', 'manageable')
            run.phases['enroll'] = time.monotonic() - t0
            if inspect:
                serial, since = self._phase(run, 'inspect', 'inspect',
                                            'manageable')
                run.evidence['inspect'] = serial()[since:]
            serial, since = self._phase(run, 'clean', 'provide', 'available')
            run.evidence['clean'] = serial()[since:]
            self.conn.baremetal.update_node(run.uuid, instance_info={
                'image_source': self.ll.image_url,
                'image_os_hash_algo': 'sha256',
                'image_os_hash_value': self.ll.image_sha256,
                'image_disk_format': 'raw'})
            serial, since = self._phase(run, 'deploy', 'active', 'active')
            run.evidence['deploy'] = serial()[since:]
            self._local_boot(run, serial, since, 'local-boot')
            if together is not None:
                together.wait(PHASE_TIMEOUT)
                run.marks['all-active'] = time.monotonic()
            if rescue:
                serial, since = self._phase(run, 'rescue', 'rescue',
                                            'rescue',
                                            rescue_password=RESCUE_PASSWORD)
                run.evidence['rescue'] = _wait_text(
                    RESCUE_LINE, serial, since, 120, run.name,
                    'rescue user').group(0)
                self._rescue_login(run)
                serial, since = self._phase(run, 'unrescue', 'unrescue',
                                            'active')
                self._local_boot(run, serial, since, 'unrescue-local-boot')
            # Cleaning ran at provide; undeploy straight to available, so
            # Ironic's tear-down (clean_dhcp) is the last thing to run.
            self.conn.baremetal.update_node(run.uuid, automated_clean=False)
            self._phase(run, 'undeploy', 'deleted', 'available')
        except Exception as exc:
            if together is not None:
                together.abort()     # the others do not wait for this one
            run.error = str(exc)
            self._say(run, 'FAILED: %s' % run.error.splitlines()[0])
        return run

    def run(self, specs, inspect=(), rescue=None, parallel=2):
        """Run :meth:`life` for ``specs``, ``parallel`` nodes at a time.

        :param inspect: names of nodes to inspect in-band first.
        :param rescue: names of nodes to rescue (default: all).
        :returns: ``{name: NodeRun}`` in the order of ``specs``.
        """
        rescue = set(s.name for s in specs) if rescue is None else set(rescue)
        together = (threading.Barrier(len(specs)) if parallel >= len(specs)
                    else None)
        with concurrent.futures.ThreadPoolExecutor(parallel) as pool:
            futures = [pool.submit(self.life, spec, spec.name in inspect,
                                   spec.name in rescue, together)
                       for spec in specs]
            return {f.result().name: f.result() for f in futures}


PHASES = ('enroll', 'inspect', 'clean', 'deploy', 'local-boot', 'rescue',
          'rescue-login', 'unrescue', 'unrescue-local-boot', 'undeploy')


def report(runs, ll, out):
    """Print per node what it booted and how long each phase took."""
    out.write('\n%-17s %-8s %-16s %-40s\n' % ('NODE', 'ARCH', 'INTERFACE',
                                             'DHCP BOOTFILE (last)'))
    for run in runs.values():
        spec = ll.nodes[run.name]
        answers = ll.dnsmasq.answers(mac=spec.mac) if ll.dnsmasq else []
        files = [a.bootfile for a in answers if a.bootfile]
        out.write('%-17s %-8s %-16s %-40s\n' % (
            run.name, run.arch, spec.boot_interface,
            files[-1] if files else '-'))
        agent = AGENT_LINE.search(ll.serial_log(run.name))
        out.write('    agent: %s\n' % (agent.group(0) if agent else '-'))
        out.write('    phases: %s\n' % '  '.join(
            '%s %.0fs' % (p, run.phases[p]) for p in PHASES
            if p in run.phases))
        if run.error:
            out.write('    FAILED: %s\n' % run.error.splitlines()[0])
    out.flush()


def main(argv=None, out=None):
    """``tools/lab.sh lifecycle``: the whole life of a hybrid fleet.

    :returns: 0 if every node went through every phase, else 1.
    """
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog='tools/lab.sh lifecycle',
        description='Take a hybrid fleet (x86_64 and aarch64 libvirt '
                    'machines behind sushy-tools and VirtualBMC) through '
                    'inspection, cleaning, deploy, rescue and undeploy on '
                    'one real Ironic with a real deploy ramdisk; print '
                    'what each node booted and how long each phase took.')
    parser.add_argument('--workdir', help='keep everything here (serial '
                        'logs in <workdir>/bmc, Ironic\'s log in '
                        '<workdir>/ironic); default: a temporary directory')
    parser.add_argument('--node', action='append',
                        choices=sorted(lifecycle.NODES),
                        help='only this node (repeatable)')
    parser.add_argument('--parallel', type=int, default=2,
                        help='nodes in their life cycle at once (default 2)')
    parser.add_argument('--inspect', action='store_true',
                        help='inspect each node in-band first')
    args = parser.parse_args(argv)
    names = args.node or list(lifecycle.NODES)
    workdir = args.workdir or tempfile.mkdtemp(prefix='multiarch-lifecycle-')
    start = time.monotonic()

    def say(text):
        out.write('%6.0fs  %s\n' % (time.monotonic() - start, text))
        out.flush()

    specs = [lifecycle.NODES[n] for n in names]
    try:
        with lifecycle.LifecycleLab(os.path.abspath(workdir), nodes=specs,
                                    progress=say) as ll:
            say('lab ready')
            runs = Runner(ll, progress=lambda t: out.write(t + '\n')).run(
                specs, inspect=names if args.inspect else (),
                parallel=args.parallel)
            report(runs, ll, out)
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    out.write('total %.0fs\n' % (time.monotonic() - start))
    return 1 if any(r.error for r in runs.values()) else 0
