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

"""Hypothesis strategies for node fields an API user controls."""

import string

from hypothesis import strategies as st

#: characters that would change a boot file's structure if they got in.
HOSTILE = '\n\r\t\x00\x0b\x0c\x1b"\';{}$\\`#&|<>()[]* '

hostile_text = st.text(
    alphabet=st.sampled_from(string.ascii_letters + string.digits + '-_.:/='
                             + HOSTILE), max_size=40)

def mostly(good, bad):
    """``bad`` about one time in eight, ``good`` otherwise."""
    return st.integers(0, 7).flatmap(lambda i: bad if i == 7 else good)


cpu_arch = mostly(
    st.sampled_from(['x86_64', 'amd64', 'X64', 'x86-64', 'aarch64', 'ARM64',
                     'aa64', 'ppc64le', 'ppc64el', 'PowerPC64LE']),
    st.one_of(st.sampled_from(['', None, 'sparc64', 'riscv64', 'i386']),
              hostile_text))

boot_mode = mostly(st.sampled_from(['uefi', 'bios', 'UEFI', None, '']),
                   hostile_text)

valid_mac = st.tuples(*[st.integers(0, 255)] * 6).map(
    lambda b: ':'.join('%02x' % x for x in b))
mac = mostly(st.one_of(valid_mac, valid_mac.map(str.upper)), hostile_text)

client_id = mostly(st.one_of(st.none(), st.just('ff:00:00:00:00:00:02:00')),
                   hostile_text)

valid_uuid = st.uuids().map(str)
uuid = mostly(st.one_of(valid_uuid, valid_uuid.map(str.upper)), hostile_text)

href = mostly(
    st.one_of(st.none(),
              st.sampled_from(['http://images.example.com/ipa.kernel',
                               'file:///srv/images/ipa.initramfs',
                               '9d2b7f6e-0c61-4b8b-9a7e-1d6b1d2c9b41'])),
    hostile_text.map(lambda t: 'http://h/' + t))

#: arguments that loaders read from the command line themselves, or
#: that change how the kernel reads the ones after them.
DIRECTIVES = ['initrd=http://203.0.113.9/evil.img', 'INITRD=/evil',
              'rd.initrd=x', 'initrd=a,b', '--', 'vga=ask', 'mem=1G',
              'BOOT_IMAGE=/evil', 'BOOTIF=01-de-ad-be-ef-00-01', 'dtb=x.dtb',
              '-', 'LABEL', 'KERNEL', 'APPEND', '::/evil', '--name',
              'imgfree', 'boot']

kernel_params = st.one_of(
    st.none(), st.none(),
    st.lists(st.sampled_from(['nofb', 'console=ttyS1,9600', 'quiet',
                              'ip=dhcp', 'ipa-debug=1', 'rd.shell']),
             max_size=4).map(' '.join),
    st.lists(st.sampled_from(['nofb', 'quiet'] + DIRECTIVES),
             min_size=1, max_size=3).map(' '.join),
    hostile_text)

name = st.one_of(st.none(), hostile_text)
