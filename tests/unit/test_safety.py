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

"""Tests of :mod:`ironic_multiarch.safety`: the allow-lists of boot files."""

import pytest

from ironic_multiarch import exception
from ironic_multiarch import safety
from tests.unit import fakes

OPTION = '[multiarch_aarch64]kernel_append_params'


def test_uuid_lower_cased():
    assert safety.uuid(fakes.UUID.upper()) == fakes.UUID


@pytest.mark.parametrize('value', [
    'node-1', fakes.UUID + '\n', fakes.UUID[:-1], '../' + fakes.UUID[3:],
    fakes.UUID.replace('-', ''), None, '',
])
def test_uuid_rejected(value):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.uuid(value, arch='aarch64')
    fakes.assert_names(exc.value, 'node UUID', '(cpu_arch aarch64)',
                       'Set the node UUID',
                       'for example 1be26c0b-03f2-4d2e-ae87-c02d7f33c123')


def test_mac_lower_cased():
    assert safety.mac('52:54:00:AB:CD:EF') == '52:54:00:ab:cd:ef'


@pytest.mark.parametrize('value', [
    '52-54-00-12-34-56', '52:54:00:12:34', '52:54:00:12:34:56:78',
    '52:54:00:12:34:5g', '52:54:00:12:34:56\n', '525400123456', None,
])
def test_mac_rejected(value):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.mac(value, node='node-1', arch='x86_64')
    fakes.assert_names(exc.value, 'Node node-1', '(cpu_arch x86_64)',
                       'MAC address', 'the port address',
                       'for example 52:54:00:12:34:56')


def test_client_id():
    value = 'FF:00:00:00:00:00:02:00:00:02:C9:00:00:02:C9:03:00:00:10:39'
    assert safety.client_id(value) == value.lower()
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.client_id('ff:00;reboot', node='n', arch='x86_64')
    fakes.assert_names(exc.value, "port's extra client-id",
                       'ff:00:00:00:00:00:02:00')


def test_kernel_args_split():
    assert safety.kernel_args(' nofb  vga=normal ip=[fd00::1]:::::eth0 '
                              'rd.shell%20 a+b~c@d', 'n', 'x86_64',
                              OPTION) == (
        'nofb', 'vga=normal', 'ip=[fd00::1]:::::eth0', 'rd.shell%20',
        'a+b~c@d')
    assert safety.kernel_args('', 'n', 'x86_64', OPTION) == ()


@pytest.mark.parametrize('value', [
    'nofb\nmenuentry', 'nofb\r', 'a\tb', 'a\vb', 'a\fb', 'quiet "x"',
    "quiet 'x'", 'quiet;reboot', 'a{b}', 'a}', 'x=$prefix', 'x=${mac}',
    'a\\b', 'a\x00b', 'a\x1bb', 'a\x7fb', 'a`id`', 'a|b', 'a&b', 'a<b',
    'a>b', 'a#b', 'a!b', 'a*b', 'a?b',
])
def test_kernel_args_unsafe(value):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.kernel_args(value, 'node-1', 'aarch64', OPTION)
    fakes.assert_names(exc.value, 'Node node-1 (cpu_arch aarch64)',
                       'Set %s' % OPTION,
                       'for example "console=ttyS0,115200n8 nofb"')


def test_kernel_args_not_a_string():
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.kernel_args(['nofb'], 'n', 'aarch64', OPTION)
    fakes.assert_names(exc.value, 'not a string', OPTION, '"nofb"')


@pytest.mark.parametrize('value', ['grubaa64.efi', 'pxelinux.0',
                                   'shim-aa64.efi', 'a+b_c.efi'])
def test_file_name_ok(value):
    assert safety.file_name(value, 'n', 'aarch64', 'opt') == value


@pytest.mark.parametrize('value', [
    '../grubaa64.efi', 'a/b.efi', '/grubaa64.efi', '.hidden', '..', '.',
    'grub aa64.efi', 'grubaa64.efi\n', '', 'a' * 129, 'a\\b', None,
])
def test_file_name_rejected(value):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.file_name(value, 'node-1', 'aarch64',
                         '[pxe]pxe_bootfile_name_by_arch[aarch64]')
    fakes.assert_names(exc.value, 'Node node-1 (cpu_arch aarch64)',
                       'file name',
                       'Set [pxe]pxe_bootfile_name_by_arch[aarch64]',
                       'for example grubaa64.efi')


@pytest.mark.parametrize('value', [
    'http://images.example.com/ipa.kernel', 'file:///srv/ipa.kernel',
    '1be26c0b-03f2-4d2e-ae87-c02d7f33c123',
    'https://[2001:db8::1]:8443/a?b=c&d=e#f',
])
def test_href_ok(value):
    assert safety.href(value, 'n', 'aarch64', 'opt') == value


@pytest.mark.parametrize('value', [
    'http://x/a b', 'http://x/"a', "http://x/'a", 'http://x/a\n',
    'http://x/$a', 'http://x/{a}', 'http://x/a\\b', 'http://x/\x00',
    '', 'h' * 2049, None,
])
def test_href_rejected(value):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.href(value, 'node-1', 'aarch64', 'driver_info/deploy_kernel')
    fakes.assert_names(exc.value, 'Node node-1 (cpu_arch aarch64)',
                       'image reference', 'Set driver_info/deploy_kernel',
                       'http://images.example.com/ipa-aarch64.kernel')


@pytest.mark.parametrize('value', ['192.0.2.10', 'tftp.example.com',
                                   '[2001:db8::1]', '192.0.2.10:69',
                                   '2001:db8::1', '::1'])
def test_server_ok(value):
    assert safety.server(value, '[pxe]tftp_server') == value


@pytest.mark.parametrize('value,host', [
    ('192.0.2.10', '192.0.2.10'), ('tftp.example.com', 'tftp.example.com'),
    ('[2001:db8::1]', '[2001:db8::1]'), ('2001:db8::1', '[2001:db8::1]'),
    ('192.0.2.10:69', '192.0.2.10:69')])
def test_url_host_brackets_ipv6(value, host):
    assert safety.url_host(value) == host


@pytest.mark.parametrize('value', ['192.0.2.10\n', '192.0.2.10/x', 'a b',
                                   '2001:db8::1\n', 'fe80::1%eth0',
                                   '2001:db8::1]', '[2001:db8::1', 'a;b',
                                   ''])
def test_server_rejected(value):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.server(value, '[pxe]tftp_server', 'node-1', 'ppc64le')
    fakes.assert_names(exc.value, 'Node node-1 (cpu_arch ppc64le)',
                       'Set [pxe]tftp_server', 'for example 192.0.2.10')


def test_url_strips_trailing_slash():
    assert safety.url('http://192.0.2.10:8080/', 'o') == (
        'http://192.0.2.10:8080')
    assert safety.url('https://h.example.com/boot/', 'o') == (
        'https://h.example.com/boot')


@pytest.mark.parametrize('value', ['ftp://h/', 'http://h/a b',
                                   'http://h/a\n', 'http://h/${x}',
                                   'http://h/a?b', 'h:8080'])
def test_url_rejected(value):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.url(value, '[deploy]http_url', 'node-1', 'x86_64')
    fakes.assert_names(exc.value, 'Node node-1 (cpu_arch x86_64)',
                       'Set [deploy]http_url',
                       'for example http://192.0.2.10:8080')


def test_relpath():
    assert safety.relpath('multiarch', 'aarch64', 'grubaa64.efi') == (
        'multiarch/aarch64/grubaa64.efi')
    assert safety.relpath('a/./b//c') == 'a/b/c'
    assert safety.relpath('a/../b') == 'b'


@pytest.mark.parametrize('parts', [
    ('/etc/passwd',), ('..',), ('.',), ('a', '..', '..', 'b'),
    ('multiarch', '../../etc'), ('a', '/abs'), ('a\x00b',),
])
def test_relpath_rejected(parts):
    with pytest.raises(exception.UnsafeValue) as exc:
        safety.relpath(*parts)
    fakes.assert_names(exc.value, 'leaves its root', 'Set the file name',
                       'multiarch/aarch64/grubaa64.efi')
