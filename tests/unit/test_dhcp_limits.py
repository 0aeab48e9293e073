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

"""DHCP values firmware and Ironic's DHCP providers can take.

- Ironic refuses a boot file or URL longer than 64 characters
  (``pxe_utils._dhcp_option_file_or_url``); a plan does the same for
  the loader's option 67 and option 59 values.
- The BOOTP ``file`` field holds 127 characters and a NUL; a DHCPv4
  option (and neutron's ``opt_value``) holds 255.
- Each option is planned once per tag set and IP version.
- IPv6 servers: plain or bracketed addresses are accepted, anything else
  between brackets is refused, URLs bracket the address.
"""

import pytest

from ironic_multiarch import dhcp
from ironic_multiarch import exception
from ironic_multiarch import safety
from tests.unit import fakes

NODE = 'Node %s' % fakes.UUID


def _opts(result):
    return [(o['opt_name'], o['opt_value'], o['ip_version'])
            for o in result.dhcp_options]


def test_limits_and_their_sources():
    assert (dhcp.IRONIC_BOOTFILE_MAX, dhcp.BOOTP_FILE_MAX,
            dhcp.OPTION_VALUE_MAX, dhcp.OPTION_NAME_MAX) == (64, 127, 255, 64)


def test_bootfile_url_of_64_characters_is_planned():
    settings = fakes.make_settings(loader_dir='a' * 25)
    assert _opts(fakes.make_plan(settings, cpu_arch='aarch64'))[-1] == (
        '59', 'tftp://192.0.2.10/aaaaaaaaaaaaaaaaaaaaaaaaa/aarch64/'
        'grubaa64.efi', 6)


def test_bootfile_url_of_65_characters_names_loader_dir():
    settings = fakes.make_settings(loader_dir='a' * 26)
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings, cpu_arch='aarch64')
    assert str(exc.value) == (
        "Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 (cpu_arch aarch64): "
        "DHCPv6 option 59 value 'tftp://192.0.2.10/"
        "aaaaaaaaaaaaaaaaaaaaaaaaaa/aarch64/grubaa64.efi' is 65 characters "
        "long, 1 more than Ironic's limit on a boot file or URL (Neutron's) "
        "allows (64); it is built from [pxe]tftp_server, "
        "[multiarch]loader_dir. Set [multiarch]loader_dir, for example ma.")


def test_ipv4_bootfile_over_64_characters():
    """Ironic's rule holds for option 67 too (here before option 59:
    the IPv4 options come first)."""
    settings = fakes.make_settings(loader_dir='b' * 50)
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings, cpu_arch='x86_64', boot_mode='bios')
    fakes.assert_names(exc.value, NODE, '(cpu_arch x86_64)',
                       'DHCPv4 option 67 value', 'is 68 characters long',
                       'allows (64)', 'Set [multiarch]loader_dir',
                       'for example ma.')


def test_ipxe_chain_bootfile_over_64_characters():
    settings = fakes.make_settings(loader_dir='c' * 50)
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings, ipxe=True)
    fakes.assert_names(exc.value, 'DHCPv4 option tag:!ipxe,67 value',
                       'is 69 characters long', 'Set [multiarch]loader_dir')


def test_long_my_ipv6_is_named():
    settings = fakes.make_settings(
        my_ipv6='2001:db8:1234:5678:9abc:def0:1234:5678')
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings, cpu_arch='aarch64')
    assert str(exc.value) == (
        "Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 (cpu_arch aarch64): "
        "DHCPv6 option 59 value 'tftp://[2001:db8:1234:5678:9abc:def0:1234:"
        "5678]/multiarch/aarch64/grubaa64.efi' is 78 characters long, 14 "
        "more than Ironic's limit on a boot file or URL (Neutron's) allows "
        "(64); it is built from [DEFAULT]my_ipv6, [multiarch]loader_dir. "
        "Set [DEFAULT]my_ipv6, for example 2001:db8::10.")


def test_long_ipv6_tftp_server_is_named():
    settings = fakes.make_settings(
        tftp_server='2001:0db8:1234:5678:9abc:def0:1234:5678')
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings, cpu_arch='aarch64')
    fakes.assert_names(exc.value, 'DHCPv6 option 59 value',
                       'is 79 characters long, 15 more',
                       'Set [pxe]tftp_server, for example 2001:db8::10.')


def test_petitboot_urls_are_not_boot_files():
    """Ironic's 64 is for loaders: petitboot's config URLs (209, and 59
    in IPv6) may be as long as a DHCP option (255)."""
    settings = fakes.make_settings(
        tftp_server='2001:0db8:1234:5678:9abc:def0:1234:5678')
    assert _opts(fakes.make_plan(settings, cpu_arch='ppc64le'))[-1] == (
        '59', 'tftp://[2001:0db8:1234:5678:9abc:def0:1234:5678]/'
              '1be26c0b-03f2-4d2e-ae87-c02d7f33c123/config', 6)


def _http_url(length):
    """An http_url whose iPXE script URL is ``length`` characters."""
    host = 'h' * (length - len('http://.example.com/boot.ipxe'))
    return 'http://%s.example.com' % host


def test_ipxe_script_url_up_to_255_characters():
    """Ironic does not limit the iPXE script URL: iPXE asks for option
    67, so the DHCP option's 255 is the limit."""
    settings = fakes.make_settings(http_url=_http_url(255))
    opts = _opts(fakes.make_plan(settings, ipxe=True))
    assert opts[1] == ('tag:ipxe,67', _http_url(255) + '/boot.ipxe', 4)
    assert len(opts[1][1]) == 255


def test_ipxe_script_url_of_256_characters_names_http_url():
    settings = fakes.make_settings(http_url=_http_url(256))
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings, ipxe=True)
    fakes.assert_names(exc.value, '(cpu_arch x86_64)',
                       'DHCPv4 option tag:ipxe,67 value',
                       'is 256 characters long, 1 more than a DHCP option '
                       'allows (255)',
                       'built from [deploy]http_url, [pxe]ipxe_boot_script',
                       'Set [deploy]http_url, for example '
                       'http://192.0.2.10:8080.')


def test_petitboot_config_url_of_256_characters_names_http_url():
    url = _http_url(256 - len('/%s/config' % fakes.UUID) + len('/boot.ipxe'))
    settings = fakes.make_settings(http_url=url, tftp_server=None)
    with pytest.raises(exception.InvalidSetting) as exc:
        fakes.make_plan(settings, cpu_arch='ppc64le', ipxe=True)
    fakes.assert_names(exc.value, '(cpu_arch ppc64le)',
                       'DHCPv4 option 209 value', 'is 256 characters long',
                       'Set [deploy]http_url')


@pytest.mark.parametrize('name,value,version,expected', [
    ('67', 'ma/x86_64/pxelinux.0', 4,
     (64, "Ironic's limit on a boot file or URL (Neutron's)")),
    ('tag:!ipxe,67', 'ma/x86_64/snponly.efi', 4,
     (64, "Ironic's limit on a boot file or URL (Neutron's)")),
    ('59', 'tftp://[2001:db8::1]/ma/x86_64/grubx64.efi', 6,
     (64, "Ironic's limit on a boot file or URL (Neutron's)")),
    ('67', 'http://192.0.2.10/other.efi', 4, (127, 'the BOOTP file field')),
    ('tag:ipxe,67', 'http://192.0.2.10/boot.ipxe', 4,
     (255, 'a DHCP option')),
    ('209', 'tftp://192.0.2.10/ma/x86_64/x', 4, (255, 'a DHCP option')),
    ('59', 'tftp://192.0.2.10/pxelinux.cfg/default', 6,
     (255, 'a DHCP option')),
])
def test_limit(name, value, version, expected):
    assert dhcp.limit(name, value, version, 'ma/x86_64/') == expected


@pytest.mark.parametrize('name,expected', [
    ('67', (frozenset(), '67')),
    ('tag:!ipxe,67', (frozenset({'!ipxe'}), '67')),
    ('tag:a,tag:b,option6:bootfile-url',
     (frozenset({'a', 'b'}), 'option6:bootfile-url')),
])
def test_split_name(name, expected):
    assert dhcp.split_name(name) == expected


def _o(name, value, version=4):
    return {'opt_name': name, 'opt_value': value, 'ip_version': version}


def test_checked_drops_exact_duplicates_in_order():
    settings = fakes.make_settings()
    opts = [_o('67', 'a.efi'), _o('66', '192.0.2.10'), _o('67', 'a.efi'),
            _o('67', 'tftp://192.0.2.10/a.efi', 6)]
    assert dhcp.checked(settings, opts, 'n', 'x86_64') == (
        _o('67', 'a.efi'), _o('66', '192.0.2.10'),
        _o('67', 'tftp://192.0.2.10/a.efi', 6))


def test_checked_refuses_two_values_for_one_tag_set():
    """Tag order does not make another tag set."""
    settings = fakes.make_settings()
    opts = [_o('tag:a,tag:b,67', 'a.efi'), _o('tag:b,tag:a,67', 'b.efi')]
    with pytest.raises(exception.InvalidSetting) as exc:
        dhcp.checked(settings, opts, 'n', 'x86_64')
    assert str(exc.value) == (
        "Node n (cpu_arch x86_64): DHCPv4 option tag:b,tag:a,67 is planned "
        "twice for the same tags, as 'a.efi' and as 'b.efi'.")


def test_checked_refuses_a_long_option_name():
    with pytest.raises(exception.InvalidSetting) as exc:
        dhcp.checked(fakes.make_settings(), [_o('tag:%s,67' % ('t' * 60),
                                                'a.efi')], 'n', 'x86_64')
    fakes.assert_names(exc.value, 'longer than the 64 characters Neutron')


#: (arch, boot mode) pairs no plan exists for: aarch64 has no BIOS.
NO_PLAN = {('aarch64', 'bios')}


@pytest.mark.parametrize('arch', fakes.ARCHES)
@pytest.mark.parametrize('boot_mode', ['uefi', 'bios'])
@pytest.mark.parametrize('ipxe', [False, True], ids=['pxe', 'ipxe'])
@pytest.mark.parametrize('mode', ['deploy', 'rescue', 'local'])
@pytest.mark.parametrize('my_ipv6', [None, '2001:db8::2'])
def test_each_option_once_per_tag_set(arch, boot_mode, ipxe, mode,
                                      my_ipv6):
    settings = fakes.make_settings(my_ipv6=my_ipv6)
    if (arch, boot_mode) in NO_PLAN:
        with pytest.raises(exception.PlanError):
            fakes.make_plan(settings, cpu_arch=arch, boot_mode=boot_mode,
                            ipxe=ipxe, mode=mode)
        return
    result = fakes.make_plan(settings, cpu_arch=arch, boot_mode=boot_mode,
                             ipxe=ipxe, mode=mode)
    keys = [dhcp.split_name(o['opt_name']) + (o['ip_version'],)
            for o in result.dhcp_options]
    assert len(keys) == len(set(keys)), keys
    assert result.dhcp_options
    for opt in result.dhcp_options:
        assert len(opt['opt_value']) <= 255
        if dhcp.split_name(opt['opt_name'])[1] in ('67', '59') and (
                'multiarch/%s/' % arch) in opt['opt_value']:
            assert len(opt['opt_value']) <= 64


@pytest.mark.parametrize('value', ['[2001:db8::1]', '[2001:db8::1]:69',
                                   '2001:db8::1', '[::ffff:192.0.2.1]',
                                   'tftp.example.com:69'])
def test_ipv6_and_ported_servers_accepted(value):
    assert safety.server(value, '[pxe]tftp_server') == value


@pytest.mark.parametrize('value,example', [
    ('[::::]', '[2001:db8::10]'), ('[192.0.2.1]', '[2001:db8::10]'),
    ('[2001:db8::1]:0', '[2001:db8::10]'),
    ('192.0.2.1:65536', '192.0.2.10')])
def test_bad_bracketed_hosts_and_ports_refused(value, example):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.server(value, '[pxe]tftp_server', 'n', 'aarch64')
    assert str(exc.value) == (
        'Node n (cpu_arch aarch64): server address %r is not an address '
        'and port. Set [pxe]tftp_server, for example %s.' % (value, example))


@pytest.mark.parametrize('value', ['http://[2001:db8::1]:8080',
                                   'https://[2001:db8::1]/boot',
                                   'http://[::1]'])
def test_ipv6_http_urls_accepted(value):
    assert safety.url(value, '[deploy]http_url') == value


@pytest.mark.parametrize('value,example', [
    ('http://[::::]:8080', 'http://[2001:db8::10]:8080'),
    ('http://[192.0.2.1]/', 'http://[2001:db8::10]:8080'),
    ('http://192.0.2.1:99999', 'http://192.0.2.10:8080')])
def test_bad_http_urls_refused(value, example):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.url(value, '[deploy]http_url', 'n', 'x86_64')
    fakes.assert_names(exc.value, 'has no valid host and port',
                       'Set [deploy]http_url, for example %s.' % example)


@pytest.mark.parametrize('value,expected', [
    ('2001:db8::1', True), ('[2001:db8::1]', True),
    ('[2001:db8::1]:69', True), ('192.0.2.10', False),
    ('192.0.2.10:69', False), ('tftp.example.com', False)])
def test_is_ipv6(value, expected):
    assert safety.is_ipv6(value) is expected


@pytest.mark.parametrize('server,host', [
    ('2001:db8::1', '[2001:db8::1]'), ('[2001:db8::1]', '[2001:db8::1]'),
    ('[2001:db8::1]:69', '[2001:db8::1]:69')])
@pytest.mark.parametrize('ipxe', [False, True], ids=['pxe', 'ipxe'])
def test_ipv6_bootfile_urls_bracket_the_host(server, host, ipxe):
    settings = fakes.make_settings(tftp_server=server,
                                   http_url='http://[2001:db8::1]:8080')
    opts = _opts(fakes.make_plan(settings, cpu_arch='aarch64', ipxe=ipxe))
    v6 = [o for o in opts if o[2] == 6]
    loader = 'snponly.efi' if ipxe else 'grubaa64.efi'
    url = 'tftp://%s/multiarch/aarch64/%s' % (host, loader)
    if ipxe:
        assert v6 == [('tag:!ipxe6,59', url, 6),
                      ('tag:ipxe6,59',
                       'http://[2001:db8::1]:8080/boot.ipxe', 6)]
    else:
        assert v6 == [('59', url, 6)]
