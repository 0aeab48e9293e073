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

"""Proof by booting: UEFI HTTP boot (multiarch-http) on OVMF and AAVMF.

A lab of its own (namespace, dnsmasq, HTTP server on port 8080) serves a
real Ironic whose ``[deploy]http_url`` is ``http://<bridge>:8080``: not
port 80, so every file after the loader must come from the server named
with its port. The machines have PXE switched off in their firmware
(``http_boot=True``) and send DHCP client architecture 16 (x86_64) or 19
(aarch64) with the vendor class ``HTTPClient``.

The loaders are network GRUBs built as Debian builds ``grubnetx64.efi``
and ``grubnetaa64.efi``: prefix ``/grub`` on the server GRUB was booted
from, and an embedded config that sources ``$prefix/<platform>/grub.cfg``
if ``[ -e ]`` finds it (never over HTTP: GRUB's network file access has
no such test) or else ``$prefix/grub.cfg``, Ironic's own. That sources
``<tftp_root>/$net_default_mac.conf``; the plugin links that path in the
HTTP root to the HTTP root itself, so the node's ``<mac>.conf`` is read
from the HTTP server, port included.

- Known nodes (boot interface ``multiarch-http``) get Ironic's option 67
  URL and option 60 ``HTTPClient`` and must boot the marker with the
  planned console and arguments, everything over HTTP, no TFTP at all.
- Unknown machines get their own architecture's loader URL from the
  ``ironic-multiarch dnsmasq`` matches (``tag:!known``); their GRUB must
  reach the HTTP server with its port (Ironic's ``grub/grub.cfg`` prints
  the prefix it was read from).

Four machines, two at a time: about 40 s of boot time on 2 cores.
"""

import concurrent.futures
import os
import re
import time

import pytest

import multiarch_lab
from multiarch_lab import standalone
from multiarch_lab import fleet
from multiarch_lab import images
from tests.boot import test_netboot

pytestmark = pytest.mark.boot

HTTP_PORT = 8080
SERVER = '10.20.0.1'
URL = 'http://%s:%d' % (SERVER, HTTP_PORT)
#: name -> (cpu_arch, firmware, boot interface, MAC)
NODES = {
    'x86-uefi-http': ('x86_64', 'uefi', 'multiarch-http',
                      '52:54:00:b0:86:11'),
    'arm-uefi-http': ('aarch64', 'uefi', 'multiarch-http',
                      '52:54:00:b0:aa:11'),
}
#: Machines Ironic does not know: name -> (arch, MAC).
UNKNOWN = {
    'unknown-x86-http': ('x86_64', '52:54:00:d1:5c:11'),
    'unknown-arm-http': ('aarch64', '52:54:00:d1:5c:12'),
}
BATCH = ('x86-uefi-http', 'unknown-arm-http', 'arm-uefi-http',
         'unknown-x86-http')
GRUB = {'x86_64': 'grubx64.efi', 'aarch64': 'grubaa64.efi'}
#: DHCP option 93 of UEFI HTTP boot (measured on OVMF and AAVMF).
HTTP_CLIENT_ARCH = {'x86_64': 16, 'aarch64': 19}
#: Ironic's grub/grub.cfg prints where GRUB read it from.
PREFIX_SEEN = re.compile(r'Booting from \(http,%s:%d\)/grub'
                         % (re.escape(SERVER), HTTP_PORT))


class HttpLab(object):
    pass


@pytest.fixture(scope='module')
def http_lab(boot_assets, tmp_path_factory):
    """A lab and Ironic serving UEFI HTTP boot; every machine booted.

    :returns: :class:`HttpLab` with ``ironic``, ``dnsmasq``, ``http``,
        ``generated`` (the ``ironic-multiarch dnsmasq`` text), ``nodes``
        and ``results`` (``{name: BootResult or BootFailure}``).
    """
    workdir = str(tmp_path_factory.mktemp('http-boot'))
    out = HttpLab()
    with multiarch_lab.Lab(os.path.join(workdir, 'lab'),
                           assets=boot_assets) as lab:
        assert lab.bridge_ip == SERVER
        ironic_dir = os.path.join(workdir, 'ironic')
        image_dir = os.path.join(ironic_dir, 'boot-images')
        conf = fleet.build_images(boot_assets, image_dir)
        for arch, name in GRUB.items():
            conf['multiarch_%s' % arch]['loader_paths'][name] = (
                images.build_grub_efi(
                    boot_assets, arch,
                    os.path.join(image_dir, arch, 'net-' + name),
                    netboot=True))
        conf['multiarch'] = {'enabled_architectures': 'x86_64,aarch64',
                             'menu_timeout': 0}
        ironic = standalone.StandaloneIronic(
            ironic_dir, extra_conf=conf, tftp_server=lab.bridge_ip,
            http_url=lab.http_url(HTTP_PORT),
            boot_interfaces=list(standalone.BOOT_INTERFACES)
            + ['multiarch-http'])
        ironic.start()
        try:
            generated = fleet.generated_dnsmasq_conf(
                ironic, os.path.join(workdir, 'unknown-nodes.conf'))
            with open(generated) as f:
                out.generated = f.read()
            out.dnsmasq, out.http = fleet.serve(lab, ironic, generated,
                                                HTTP_PORT)
            out.ironic = ironic
            out.nodes = fleet.enroll(ironic, NODES)
            machines = []
            for name in BATCH:
                arch, mac = (NODES[name][0], NODES[name][3]) \
                    if name in NODES else UNKNOWN[name]
                machines.append(lab.add_machine(arch, 'uefi', mac,
                                                http_boot=True, name=name))

            def boot(machine):
                until = None if machine.name in NODES else PREFIX_SEEN
                try:
                    return lab.boot(machine, timeout=test_netboot.TIMEOUT,
                                    until=until)
                except multiarch_lab.BootFailure as exc:
                    return exc

            start = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                out.results = dict(zip(BATCH, pool.map(boot, machines)))
            print('HTTP boot: %d machines, two at a time, in %.1fs'
                  % (len(machines), time.monotonic() - start))
            for name, result in out.results.items():
                print('%s: %s' % (name, '%.1fs %s' % (
                    result.elapsed, result.cmdline)
                    if isinstance(result, multiarch_lab.BootResult)
                    else str(result).splitlines()[0]))
            yield out
        finally:
            ironic.stop()


def _result(http_lab, name):
    return test_netboot._result(http_lab.results, name)


_acks = test_netboot._acks


def _option_text(values):
    """Option values as text: dnsmasq logs a forced option in hex."""
    out = []
    for value in values or ():
        if re.fullmatch(r'[0-9a-f]{2}(:[0-9a-f]{2})*', value):
            value = bytes.fromhex(value.replace(':', '')).decode()
        out.append(value)
    return out


def _served(http_lab, ip):
    """Paths the HTTP server sent to ``ip`` (status 200), root-relative."""
    return [path.lstrip('/') for path, status in http_lab.http.requests(ip)
            if status == 200]


def test_dnsmasq_tags_http_clients(http_lab):
    """Ironic's ``tag:httpclient`` lines and the generated HTTP matches
    need dnsmasq to tag UEFI HTTP clients by vendor class."""
    with open(http_lab.dnsmasq.conf_path) as f:
        assert 'dhcp-vendorclass=set:httpclient,HTTPClient' in (
            f.read().splitlines())


#: Found here: GRUB's ``test -e`` on a network path is always false (its
#: network file system lists no directory and sends no request), so the
#: netboot GRUB always sources Ironic's ``grub/grub.cfg``, which names
#: the TFTP root's path: the plugin aliases that path in the HTTP root.
@pytest.mark.parametrize('name', list(NODES))
def test_known_node_boots_its_plan_over_http(http_lab, name):
    node = http_lab.nodes[name]
    loader = 'multiarch/%s/%s' % (node.arch, GRUB[node.arch])
    # Ironic's dnsmasq file: the loader URL on the port, option 60
    assert node.opts == {o['opt_name']: o['opt_value']
                         for o in node.plan.dhcp_options}
    assert node.opts == {'67': '%s/%s' % (URL, loader),
                         '60': 'HTTPClient',
                         '59': '%s/%s' % (URL, loader)}
    result = _result(http_lab, name)
    for ack in _acks(result):
        assert 'known' in ack.tags and node.dhcp_tag in ack.tags, ack
        assert 'httpclient' in ack.tags, ack
        assert ack.options.get(67) == ['%s/%s' % (URL, loader)], ack
        assert _option_text(ack.options.get(60)) == ['HTTPClient'], ack
    test_netboot.check_boot(node, result)
    # everything came over HTTP from the server named with its port ...
    ip = _acks(result)[0].ip
    served = _served(http_lab, ip)
    conf = '%s/%s.conf' % (http_lab.ironic.tftp_root.strip('/'), node.mac)
    for path in (loader, 'grub/grub.cfg', conf, node.plan.kernel_path,
                 node.plan.ramdisk_path):
        assert path in served, (path, served)
    assert node.plan.config_root == node.plan.image_root == 'http'
    # ... and nothing over TFTP
    assert http_lab.dnsmasq.tftp_log(ip) == []
    assert result.elapsed < 90, result.elapsed


@pytest.mark.parametrize('name', list(UNKNOWN))
def test_unknown_machine_gets_its_arch_http_loader(http_lab, name):
    arch, mac = UNKNOWN[name]
    loader = 'multiarch/%s/%s' % (arch, GRUB[arch])
    code = HTTP_CLIENT_ARCH[arch]
    lines = http_lab.generated.splitlines()
    assert 'dhcp-match=set:%s-uefi-http,option:client-arch,%d' % (
        arch, code) in lines
    assert ('dhcp-option-force=tag:httpclient,tag:%s-uefi-http,tag:!known,'
            '60,HTTPClient' % arch) in lines
    assert ('dhcp-boot=tag:httpclient,tag:%s-uefi-http,tag:!known,%s/%s'
            % (arch, URL, loader)) in lines
    # the URL it advertises is served: the loader is in the HTTP root
    assert os.path.isfile(os.path.join(http_lab.ironic.http_root, loader))
    result = _result(http_lab, name)
    for ack in _acks(result):
        assert 'known' not in ack.tags, ack
        assert 'httpclient' in ack.tags, ack
        assert '%s-uefi-http' % arch in ack.tags, ack
        assert ack.options.get(67) == ['%s/%s' % (URL, loader)], ack
        assert _option_text(ack.options.get(60)) == ['HTTPClient'], ack
    # its GRUB ran and read Ironic's grub.cfg over HTTP, port included
    assert PREFIX_SEEN.search(result.log), result.log[-2000:]
    served = _served(http_lab, _acks(result)[0].ip)
    for path in (loader, 'grub/grub.cfg'):
        assert path in served, (path, served)
    assert http_lab.dnsmasq.tftp_log(_acks(result)[0].ip) == []
