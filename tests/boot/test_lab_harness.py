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

"""The lab harness itself: dnsmasq's log read back, and cleanup.

The namespace tests need root and ``ip``; they start no QEMU.
"""

import os
import subprocess
import sys

import pytest

import multiarch_lab
from multiarch_lab import dnsmasq as lab_dnsmasq
from multiarch_lab import netns

#: dnsmasq 2.90 ``log-dhcp`` of an iPXE client Ironic knows and of an
#: unknown one given option 67 twice, shortened: (program, text).
ENTRIES = [
    ('dhcp', '3125356595 DHCPDISCOVER(br0) 52:54:00:b0:86:03'),
    ('dhcp', '3125356595 tags: eb62, ironic, known, ipxe, x86_64-bios, br0'),
    ('dhcp', '3125356595 DHCPOFFER(br0) 10.20.0.183 52:54:00:b0:86:03'),
    ('dhcp', '3125356595 next server: 10.20.0.1'),
    ('dhcp', '3125356595 sent size:  1 option: 53 message-type  2'),
    ('dhcp', '3125356595 sent size: 32 option: 67 bootfile-name  '
             'http://10.20.0.1:8080/boot.ipxe'),
    ('dhcp', '3125356595 sent size:  4 option:175   b0:01:01:ff'),
    ('dhcp', '77 DHCPREQUEST(br0) 10.20.0.150 52:54:00:d1:5c:02'),
    ('dhcp', '77 tags: ipxe, x86_64-bios, br0'),
    ('dhcp', '77 DHCPACK(br0) 10.20.0.150 52:54:00:d1:5c:02'),
    ('dhcp', '77 sent size: 27 option: 67 bootfile-name  '
             'multiarch/x86_64/pxelinux.0'),
    ('dhcp', '77 sent size: 10 option: 67 bootfile-name  other.0'),
    ('tftp', 'sent /srv/tftp/multiarch/x86_64/pxelinux.0 to 10.20.0.150'),
    ('tftp', 'file /srv/tftp/pxelinux.cfg/01-52-54-00-d1-5c-02 not found '
             'for 10.20.0.150'),
    ('tftp', 'error 8 User aborted the transfer received from 10.20.0.151'),
]
LOG = ''.join('Dec  1 06:04:%02d dnsmasq-%s[22970]: %s\n' % (i, prog, text)
              for i, (prog, text) in enumerate(ENTRIES))


@pytest.fixture
def dns(tmp_path):
    log = tmp_path / 'dnsmasq.log'
    log.write_text(LOG)
    return lab_dnsmasq.Dnsmasq('conf', str(log), 'leases', None)


def test_answers_per_mac(dns):
    known = dns.answers('52:54:00:B0:86:03')
    assert [(a.kind, a.ip) for a in known] == [('DHCPOFFER', '10.20.0.183')]
    assert known[0].tags == ['eb62', 'ironic', 'known', 'ipxe',
                             'x86_64-bios', 'br0']
    assert known[0].options == {53: ['2'], 67: [
        'http://10.20.0.1:8080/boot.ipxe'], 175: ['b0:01:01:ff']}
    assert known[0].next_server == '10.20.0.1'
    unknown = dns.answers('52:54:00:d1:5c:02')
    # a second option 67 is kept: the client takes the first
    assert unknown[0].options[67] == ['multiarch/x86_64/pxelinux.0',
                                      'other.0']
    assert unknown[0].bootfile == 'multiarch/x86_64/pxelinux.0'
    assert len(dns.answers()) == 2
    assert dns.answers('52:54:00:00:00:00') == []


def test_answers_since_an_offset(dns):
    offset = LOG.index('77 DHCPREQUEST') - len('Dec  1 06:04:07 '
                                               'dnsmasq-dhcp[22970]: ')
    assert [a.mac for a in dns.answers(since=offset)] == [
        '52:54:00:d1:5c:02']


def test_tftp_log_per_client(dns):
    assert dns.tftp_log('10.20.0.150') == [
        ('sent', '/srv/tftp/multiarch/x86_64/pxelinux.0'),
        ('not found', '/srv/tftp/pxelinux.cfg/01-52-54-00-d1-5c-02')]
    assert dns.tftp_log('10.20.0.151') == [
        ('error', 'User aborted the transfer')]


def test_unserved(tmp_path):
    opts = tmp_path / 'opts'
    opts.mkdir()
    (opts / 'ironic-n1.conf').write_text(
        'tag:p1,67,multiarch/x86_64/pxelinux.0\n'
        'tag:p1,66,10.20.0.1\n'
        'tag:p2,tag:ipxe,67,http://10.20.0.1:8080/boot.ipxe\n'
        'tag:p2,tag:!ipxe,67,undionly.kpxe\n'
        'tag:p3,209,tftp://10.20.0.9/pxelinux.cfg/x\n')
    tftp = tmp_path / 'tftp'
    (tftp / 'multiarch' / 'x86_64').mkdir(parents=True)
    (tftp / 'multiarch' / 'x86_64' / 'pxelinux.0').write_text('x')
    assert [p[2] for p in lab_dnsmasq.unserved(
        str(opts), str(tftp), [], '10.20.0.1')] == [
        'http://10.20.0.1:8080/boot.ipxe', 'undionly.kpxe',
        'tftp://10.20.0.9/pxelinux.cfg/x']


def _namespaces():
    out = subprocess.run(['ip', 'netns', 'list'], text=True,
                         stdout=subprocess.PIPE).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


needs_root = pytest.mark.skipif(os.geteuid() != 0,
                                reason='network namespaces need root')


@pytest.mark.boot
@needs_root
def test_close_removes_everything_even_on_error(tmp_path):
    (tmp_path / 'root').mkdir()
    with pytest.raises(RuntimeError, match='a test failed'):
        with multiarch_lab.Lab(str(tmp_path / 'lab')) as lab:
            ns = lab.ns
            assert ns in _namespaces()
            server = lab.http_server(str(tmp_path / 'root'), 8080)
            machine = lab.add_machine('x86_64', 'bios', '52:54:00:00:00:01')
            links = subprocess.run(['ip', '-n', ns, 'link', 'show',
                                    machine.tap], text=True,
                                   stdout=subprocess.PIPE).stdout
            assert 'master br0' in links
            raise RuntimeError('a test failed')
    assert ns not in _namespaces()
    assert server.process.poll() is not None
    lab.close()   # twice is fine


@pytest.mark.boot
@needs_root
def test_a_new_lab_sweeps_namespaces_of_dead_processes(tmp_path):
    # a namespace named after a process that has exited, with a process
    # still running in it, as a killed test run leaves behind
    dead = subprocess.Popen([sys.executable, '-c', 'pass'])
    dead.wait()
    stale = '%s-%d-0' % (netns.PREFIX, dead.pid)
    subprocess.run(['ip', 'netns', 'add', stale], check=True)
    sleeper = subprocess.Popen(['ip', 'netns', 'exec', stale, 'sleep',
                                '300'])
    try:
        with multiarch_lab.Lab(str(tmp_path / 'lab')) as lab:
            assert stale not in _namespaces()
            assert lab.ns in _namespaces()   # ours is alive: kept
            assert sleeper.wait(10) == -9
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
        subprocess.run(['ip', 'netns', 'del', stale],
                       stderr=subprocess.DEVNULL)
