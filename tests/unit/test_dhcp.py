"""Exact DHCP option lists of each kind of plan."""

import pytest

from ironic_multiarch import dhcp
from tests.unit import fakes

T = fakes.TFTP
H = fakes.HTTP
SERVERS = [('66', T), ('150', T), ('255', T)]


def _opts(result):
    for opt in result.dhcp_options:
        assert opt['ip_version'] == 4
        assert sorted(opt) == ['ip_version', 'opt_name', 'opt_value']
    return [(o['opt_name'], o['opt_value']) for o in result.dhcp_options]


def test_grub_aarch64():
    assert _opts(fakes.make_plan(cpu_arch='aarch64')) == [
        ('67', 'multiarch/aarch64/grubaa64.efi'),
        ('tag:httpclient,67', H + '/multiarch/aarch64/grubaa64.efi'),
        ('tag:httpclient,60', 'HTTPClient')] + SERVERS


def test_grub_x86_64_shim_without_http_url():
    settings = fakes.make_settings(http_url=None, arch={'x86_64': {
        'loaders': {'uefi': 'shim'}}})
    assert _opts(fakes.make_plan(settings)) == [
        ('67', 'multiarch/x86_64/bootx64.efi')] + SERVERS


def test_pxelinux_x86_64():
    assert _opts(fakes.make_plan(boot_mode='bios')) == [
        ('67', 'multiarch/x86_64/pxelinux.0')] + SERVERS


@pytest.mark.parametrize('boot_mode', ['uefi', 'bios'])
def test_petitboot_ppc64le(boot_mode):
    """Options 209 and 210 and no option 67 (petitboot adds a menu entry
    for any option 67)."""
    result = fakes.make_plan(cpu_arch='ppc64le', boot_mode=boot_mode)
    assert _opts(result) == [
        ('209', 'tftp://%s/%s/config' % (T, fakes.UUID)),
        ('210', 'tftp://%s/' % T)] + SERVERS


def test_petitboot_ppc64le_ipxe_interface():
    result = fakes.make_plan(cpu_arch='ppc64le', ipxe=True,
                             settings=fakes.make_settings(tftp_server=None))
    assert _opts(result) == [('209', '%s/%s/config' % (H, fakes.UUID)),
                             ('210', H + '/')]


def test_ipxe_x86_64_uefi():
    assert _opts(fakes.make_plan(ipxe=True)) == [
        ('tag:!ipxe,67', 'multiarch/x86_64/snponly.efi'),
        ('tag:ipxe,67', H + '/boot.ipxe'),
        ('tag:httpclient,67', H + '/multiarch/x86_64/snponly.efi'),
        ('tag:httpclient,60', 'HTTPClient')] + SERVERS


def test_ipxe_x86_64_bios():
    assert _opts(fakes.make_plan(ipxe=True, boot_mode='bios')) == [
        ('tag:!ipxe,67', 'multiarch/x86_64/undionly.kpxe'),
        ('tag:ipxe,67', H + '/boot.ipxe')] + SERVERS


def test_ipxe_aarch64_custom_loader_dir():
    settings = fakes.make_settings(loader_dir='ldr',
                                   http_url='http://[2001:db8::1]:8080/')
    assert _opts(fakes.make_plan(settings, cpu_arch='aarch64', ipxe=True)) == [
        ('tag:!ipxe,67', 'ldr/aarch64/snponly.efi'),
        ('tag:ipxe,67', 'http://[2001:db8::1]:8080/boot.ipxe'),
        ('tag:httpclient,67',
         'http://[2001:db8::1]:8080/ldr/aarch64/snponly.efi'),
        ('tag:httpclient,60', 'HTTPClient')] + SERVERS


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
            dhcp.PXELINUX_PATH_PREFIX) == ('67', '66', '150', '255', '209',
                                           '210')
