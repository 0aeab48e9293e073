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

"""Faults of the real network path that the lab must catch.

Each test runs a second lab (its own namespace, dnsmasq and HTTP server)
beside the ``boot_lab`` fixture's, reading the same Ironic's files but
configured with one thing wrong, and shows the fault: a machine does not
boot its plan, or the lab reports what is advertised but not served.
"""

import contextlib
import os
import shutil

import pytest

import multiarch_lab
from multiarch_lab import fleet
from tests.boot import conftest as lab
from tests.boot import harness
from tests.boot import test_netboot

pytestmark = pytest.mark.boot


@contextlib.contextmanager
def side_lab(boot_lab, workdir, extra_conf=(), http_port=lab.HTTP_PORT,
             tftp_root=None):
    """A second lab serving the ``boot_lab`` Ironic, one thing changed."""
    ironic = boot_lab.ironic
    with multiarch_lab.Lab(str(workdir), assets=boot_lab.assets) as side:
        assert side.bridge_ip == lab.SERVER
        side.http_server(ironic.http_root, http_port)
        side.dnsmasq(ironic.dnsmasq_hosts_dir, ironic.dnsmasq_opts_dir,
                     tftp_root or ironic.tftp_root, extra_conf=extra_conf)
        yield side


def test_generated_matches_without_not_known_steal_a_known_node(
        boot_lab, tmp_path):
    """Fault (a): without ``tag:!known`` the generated client-arch answer
    reaches a known x86_64 BIOS iPXE node too, and it boots pxelinux (the
    discovery config) instead of its own plan. The same node boots its
    plan in the ``boot_lab`` lab, whose dnsmasq includes the real output.
    """
    with open(boot_lab.generated_conf) as f:
        generated = f.read()
    assert 'tag:!known,' in generated
    broken = tmp_path / 'broken.conf'
    broken.write_text(generated.replace('tag:!known,', ''))
    node = boot_lab.nodes['x86-bios-ipxe']
    with side_lab(boot_lab, tmp_path / 'lab',
                  ['conf-file=%s' % broken]) as side:
        machine = side.add_machine(node.arch, node.firmware, node.mac,
                                   name=node.name)
        result = side.boot(machine, timeout=test_netboot.TIMEOUT)
    acks = [a for a in result.dhcp if a.kind == 'DHCPACK']
    assert acks and 'known' in acks[0].tags, result.dhcp
    # dnsmasq sent the generated loader to the known node ...
    assert acks[0].bootfile == 'multiarch/x86_64/pxelinux.0', acks[0]
    # ... which then booted the discovery entry, not its plan
    assert lab.DISCOVERY_ARG + 'x86_64' in result.cmdline.split()
    with pytest.raises(AssertionError):
        test_netboot.check_boot(node, result)


def test_boot_script_advertised_on_a_port_nobody_serves(boot_lab, tmp_path):
    """Fault (c), HTTP: Ironic advertises ``boot.ipxe`` on its http_url's
    port, the lab serves the HTTP root on another one. The lab names it
    before any boot, and the machine fails fast instead of timing out."""
    node = boot_lab.nodes['x86-bios-ipxe']
    with side_lab(boot_lab, tmp_path / 'lab',
                  http_port=lab.HTTP_PORT + 1) as side:
        problems = side.unserved(boot_lab.ironic.dnsmasq_opts_dir,
                                 boot_lab.ironic.tftp_root)
        assert [(p[2], p[3]) for p in problems] == [
            (node.bootfile, 'no HTTP server on %s:%d'
             % (lab.SERVER, lab.HTTP_PORT))], problems
        machine = side.add_machine(node.arch, node.firmware, node.mac,
                                   name=node.name)
        with pytest.raises(harness.BootFailure) as exc:
            side.boot(machine, timeout=test_netboot.TIMEOUT)
    assert exc.value.reason == 'iPXE gave up', exc.value
    assert exc.value.dhcp and exc.value.dhcp[-1].bootfile == node.bootfile
    print(str(exc.value).splitlines()[0])


def test_loader_advertised_but_missing(boot_lab, tmp_path):
    """Fault (c), TFTP: a loader Ironic advertises is not in the served
    root; the lab names the option, its node's file and the path."""
    node = boot_lab.nodes['x86-uefi-pxe']
    root = test_netboot.copy_tree(boot_lab, tmp_path / 'tftp')
    os.unlink(os.path.join(root, node.plan.bootfile))
    problems = multiarch_lab.dnsmasq.unserved(
        boot_lab.ironic.dnsmasq_opts_dir, root, [boot_lab.http],
        lab.SERVER)
    assert [(p[0], p[1], p[2]) for p in problems] == [
        ('ironic-%s.conf' % node.uuid, 67, node.plan.bootfile)], problems
    shutil.rmtree(root)


@contextlib.contextmanager
def http_boot_lab(boot_lab, tmp_path, http_url, port):
    """A lab that answers unknown UEFI HTTP clients as
    ``ironic-multiarch dnsmasq`` says for ``http_url``, serving a copy of
    the x86_64 GRUB at the URL's path on ``port``."""
    override = tmp_path / 'http-url.conf'
    override.write_text('[deploy]\nhttp_url = %s\n' % http_url)
    generated = fleet.generated_dnsmasq_conf(
        boot_lab.ironic, str(tmp_path / 'unknown.conf'), [str(override)])
    grub = 'multiarch/x86_64/grubx64.efi'
    url = '%s/%s' % (http_url, grub)
    assert ('dhcp-boot=tag:httpclient,tag:x86_64-uefi-http,tag:!known,%s\n'
            % url) in open(generated).read()
    root = tmp_path / 'http'
    os.makedirs(root / 'multiarch' / 'x86_64')
    os.link(os.path.join(boot_lab.ironic.tftp_root, grub), root / grub)
    with multiarch_lab.Lab(str(tmp_path / 'lab'),
                           assets=boot_lab.assets) as side:
        http = side.http_server(str(root), port)
        side.dnsmasq(boot_lab.ironic.dnsmasq_hosts_dir,
                     boot_lab.ironic.dnsmasq_opts_dir,
                     boot_lab.ironic.tftp_root,
                     extra_conf=['conf-file=%s' % generated])
        machine = side.add_machine('x86_64', 'uefi', HTTP_CLIENT_MAC,
                                   http_boot=True, name='unknown-x86-http')
        yield side, machine, http, url


#: An unknown x86_64 UEFI machine doing UEFI HTTP boot.
HTTP_CLIENT_MAC = '52:54:00:d1:5c:10'


def test_unknown_uefi_http_boot_on_port_80(boot_lab, tmp_path):
    """The harness's UEFI HTTP boot: PXE off in OVMF, the generated
    HTTPClient answer (option 60 and a URL bootfile), GRUB fetched over
    HTTP on port 80 and its config over TFTP: the discovery marker."""
    with http_boot_lab(boot_lab, tmp_path, 'http://%s' % lab.SERVER,
                       80) as (side, machine, http, url):
        result = side.boot(machine, timeout=test_netboot.TIMEOUT)
        assert (url.split(lab.SERVER, 1)[1], 200) in http.requests()
    ack = [a for a in result.dhcp if a.kind == 'DHCPACK'][0]
    assert {'httpclient', 'x86_64-uefi-http'} <= set(ack.tags), ack
    assert 'known' not in ack.tags
    assert ack.bootfile == url
    assert lab.DISCOVERY_ARG + 'x86_64' in result.cmdline.split()


def test_grub_over_http_boot_with_a_port_is_caught(boot_lab, tmp_path):
    """Fault (b): GRUB booted from ``http://<server>:8080/...`` takes the
    port with the server and sends TFTP there: it goes silent forever.
    The lab stops it once no request reached its servers for a while."""
    with http_boot_lab(boot_lab, tmp_path, boot_lab.ironic.http_url,
                       lab.HTTP_PORT) as (side, machine, http, url):
        assert url.startswith('http://%s:%d/' % (lab.SERVER, lab.HTTP_PORT))
        with pytest.raises(harness.BootFailure) as exc:
            side.boot(machine, timeout=test_netboot.TIMEOUT)
    assert 'no TFTP or HTTP request reached the lab' in exc.value.reason
    assert exc.value.dhcp and exc.value.dhcp[-1].bootfile == url
    print(str(exc.value).splitlines()[0])
