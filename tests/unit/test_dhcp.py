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

"""Exact DHCP option lists of each kind of plan.

As Ironic's PXE and iPXE interfaces (``dhcp_options_for_instance`` with
``ip_version=4``, then ``6``): the IPv4 options, then the IPv6 ones, a
URL in option 59 (``tftp://<host>/<file>``, the host bracketed when it is
an IPv6 address) and no TFTP server options. No ``tag:httpclient``
options: Ironic's PXE and iPXE interfaces offer no UEFI HTTP boot.
"""

import pytest

from ironic_multiarch import dhcp
from ironic_multiarch import exception
from tests.unit import fakes

T = fakes.TFTP
H = fakes.HTTP
SERVERS = [('66', T, 4), ('150', T, 4), ('255', T, 4)]


def _opts(result):
    for opt in result.dhcp_options:
        assert sorted(opt) == ['ip_version', 'opt_name', 'opt_value']
    return [(o['opt_name'], o['opt_value'], o['ip_version'])
            for o in result.dhcp_options]


def test_grub_aarch64():
    assert _opts(fakes.make_plan(cpu_arch='aarch64')) == [
        ('67', 'multiarch/aarch64/grubaa64.efi', 4)] + SERVERS + [
        ('59', 'tftp://192.0.2.10/multiarch/aarch64/grubaa64.efi', 6)]


def test_grub_x86_64_shim_without_http_url():
    settings = fakes.make_settings(http_url=None, arch={'x86_64': {
        'loaders': {'uefi': 'shim'}}})
    assert _opts(fakes.make_plan(settings)) == [
        ('67', 'multiarch/x86_64/bootx64.efi', 4)] + SERVERS + [
        ('59', 'tftp://192.0.2.10/multiarch/x86_64/bootx64.efi', 6)]


def test_pxelinux_x86_64():
    assert _opts(fakes.make_plan(boot_mode='bios')) == [
        ('67', 'multiarch/x86_64/pxelinux.0', 4)] + SERVERS + [
        ('59', 'tftp://192.0.2.10/multiarch/x86_64/pxelinux.0', 6)]


@pytest.mark.parametrize('boot_mode', ['uefi', 'bios'])
def test_petitboot_ppc64le(boot_mode):
    """Options 209 and 210 and no option 67 (petitboot adds a menu entry
    for any option 67); in IPv6, option 59 is the config's URL, which
    petitboot reads as its config file."""
    result = fakes.make_plan(cpu_arch='ppc64le', boot_mode=boot_mode)
    assert _opts(result) == [
        ('209', 'tftp://192.0.2.10/%s/config' % fakes.UUID, 4),
        ('210', 'tftp://192.0.2.10/', 4)] + SERVERS + [
        ('59', 'tftp://192.0.2.10/%s/config' % fakes.UUID, 6)]


def test_petitboot_ppc64le_ipxe_interface():
    result = fakes.make_plan(cpu_arch='ppc64le', ipxe=True,
                             settings=fakes.make_settings(tftp_server=None))
    assert _opts(result) == [
        ('209', 'http://192.0.2.10:8080/%s/config' % fakes.UUID, 4),
        ('210', 'http://192.0.2.10:8080/', 4),
        ('59', 'http://192.0.2.10:8080/%s/config' % fakes.UUID, 6)]


def test_ipxe_x86_64_uefi():
    assert _opts(fakes.make_plan(ipxe=True)) == [
        ('tag:!ipxe,67', 'multiarch/x86_64/snponly.efi', 4),
        ('tag:ipxe,67', 'http://192.0.2.10:8080/boot.ipxe', 4)] + SERVERS + [
        ('tag:!ipxe6,59', 'tftp://192.0.2.10/multiarch/x86_64/snponly.efi',
         6),
        ('tag:ipxe6,59', 'http://192.0.2.10:8080/boot.ipxe', 6)]


def test_ipxe_x86_64_bios():
    assert _opts(fakes.make_plan(ipxe=True, boot_mode='bios')) == [
        ('tag:!ipxe,67', 'multiarch/x86_64/undionly.kpxe', 4),
        ('tag:ipxe,67', 'http://192.0.2.10:8080/boot.ipxe', 4)] + SERVERS + [
        ('tag:!ipxe6,59',
         'tftp://192.0.2.10/multiarch/x86_64/undionly.kpxe', 6),
        ('tag:ipxe6,59', 'http://192.0.2.10:8080/boot.ipxe', 6)]


def test_ipxe_aarch64_custom_loader_dir():
    settings = fakes.make_settings(loader_dir='ldr',
                                   http_url='http://[2001:db8::1]:8080/')
    result = fakes.make_plan(settings, cpu_arch='aarch64', ipxe=True)
    assert _opts(result) == [
        ('tag:!ipxe,67', 'ldr/aarch64/snponly.efi', 4),
        ('tag:ipxe,67', 'http://[2001:db8::1]:8080/boot.ipxe', 4),
        ('66', T, 4), ('150', T, 4), ('255', T, 4),
        ('tag:!ipxe6,59', 'tftp://192.0.2.10/ldr/aarch64/snponly.efi', 6),
        ('tag:ipxe6,59', 'http://[2001:db8::1]:8080/boot.ipxe', 6)]


@pytest.mark.parametrize('server', ['2001:db8::1', '[2001:db8::1]'])
def test_ipv6_tftp_server(server):
    """Options 66/150/255 carry [pxe]tftp_server as it is, URLs bracket
    it (Ironic: ``netutils.escape_ipv6``)."""
    settings = fakes.make_settings(tftp_server=server)
    assert _opts(fakes.make_plan(settings, cpu_arch='aarch64')) == [
        ('67', 'multiarch/aarch64/grubaa64.efi', 4),
        ('66', server, 4), ('150', server, 4), ('255', server, 4),
        ('59', 'tftp://[2001:db8::1]/multiarch/aarch64/grubaa64.efi', 6)]
    result = fakes.make_plan(settings, cpu_arch='ppc64le')
    assert _opts(result)[:2] == [
        ('209', 'tftp://[2001:db8::1]/%s/config' % fakes.UUID, 4),
        ('210', 'tftp://[2001:db8::1]/', 4)]


@pytest.mark.parametrize('my_ipv6', ['2001:db8::2', '[2001:db8::2]'])
def test_my_ipv6_is_the_host_of_ipv6_tftp_urls(my_ipv6):
    """Ironic: ``[DEFAULT]my_ipv6``, when set, in the IPv6 TFTP URLs
    only; the iPXE script's URL stays [deploy]http_url's."""
    settings = fakes.make_settings(my_ipv6=my_ipv6)
    assert _opts(fakes.make_plan(settings, ipxe=True)) == [
        ('tag:!ipxe,67', 'multiarch/x86_64/snponly.efi', 4),
        ('tag:ipxe,67', 'http://192.0.2.10:8080/boot.ipxe', 4)] + SERVERS + [
        ('tag:!ipxe6,59', 'tftp://[2001:db8::2]/multiarch/x86_64/snponly.efi',
         6),
        ('tag:ipxe6,59', 'http://192.0.2.10:8080/boot.ipxe', 6)]
    assert _opts(fakes.make_plan(settings, cpu_arch='ppc64le'))[-1] == (
        '59', 'tftp://[2001:db8::2]/%s/config' % fakes.UUID, 6)


def test_unsafe_my_ipv6():
    settings = fakes.make_settings(my_ipv6='2001:db8::2\n}')
    with pytest.raises(exception.UnsafeValue) as exc:
        fakes.make_plan(settings)
    fakes.assert_names(exc.value, 'Set [DEFAULT]my_ipv6')


@pytest.mark.parametrize('arch', ['x86_64', 'aarch64'])
@pytest.mark.parametrize('ipxe', [False, True])
def test_no_uefi_http_boot_options(arch, ipxe):
    """multiarch-pxe/-ipxe serve no UEFI HTTP boot: no option 60, no
    httpclient tag, even with [deploy]http_url set."""
    result = fakes.make_plan(cpu_arch=arch, ipxe=ipxe)
    names = [o['opt_name'] for o in result.dhcp_options]
    assert not [n for n in names if 'httpclient' in n or n.endswith('60')]
@pytest.mark.parametrize('arch', ['x86_64', 'aarch64', 'ppc64le'])
@pytest.mark.parametrize('ipxe', [False, True])
def test_options_for_matches_plan(arch, ipxe):
    result = fakes.make_plan(cpu_arch=arch, ipxe=ipxe)
    profile = fakes.profiles()[arch]
    method = profile.method(result.method)
    loader = (method.ipxe_loader if ipxe and method.ipxe_loader
              else method.loader())
    assert dhcp.options_for(fakes.make_settings(), method, loader,
                            fakes.UUID, ipxe, 'n', arch) == (
        result.dhcp_options)


def test_option_constants():
    assert (dhcp.BOOTFILE, dhcp.TFTP_SERVER_NAME, dhcp.TFTP_SERVER_ADDRESS,
            dhcp.SERVER_IP_ADDRESS, dhcp.PXELINUX_CONFIG_FILE,
            dhcp.PXELINUX_PATH_PREFIX, dhcp.BOOTFILE_URL) == (
        '67', '66', '150', '255', '209', '210', '59')
