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

"""Shared facts and settings for the planner's unit tests (no Ironic)."""

import types

from ironic_multiarch import plan
from ironic_multiarch.profiles import aarch64
from ironic_multiarch.profiles import ppc64le
from ironic_multiarch.profiles import x86_64
from ironic_multiarch import settings as settings_mod

UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c123'
MAC = '52:54:00:12:34:56'
MAC2 = '52:54:00:ab:cd:ef'
TFTP = '192.0.2.10'
HTTP = 'http://192.0.2.10:8080'
API = 'ipa-api-url=http://192.0.2.10:6385'
#: What Ironic's templates put before the append parameters of every
#: deploy and rescue entry, and what its GRUB template puts after them
#: (``boot_server=<[pxe]tftp_server>``).
DEPLOY_ARGS = 'selinux=0 troubleshoot=0 text'
BOOT_SERVER = 'boot_server=192.0.2.10'
ROLES = ('deploy_kernel', 'deploy_ramdisk', 'rescue_kernel',
         'rescue_ramdisk')
ARCHES = ('x86_64', 'aarch64', 'ppc64le')


def profiles():
    """The three built-in profiles, without stevedore."""
    return {'x86_64': x86_64.X86_64(), 'aarch64': aarch64.AArch64(),
            'ppc64le': ppc64le.Ppc64le()}


def href(arch, role):
    """The image reference the default settings give ``arch``."""
    return 'http://images.example.com/%s/%s' % (arch, role)


def arch_settings(arch, **kwargs):
    """An ``[multiarch_<arch>]`` group with every image set."""
    images = {role: href(arch, role) for role in ROLES}
    images.update(kwargs.pop('images', {}))
    images = {k: v for k, v in images.items() if v is not None}
    for key in ('loaders', 'loader_paths', 'templates'):
        if key in kwargs:
            kwargs[key] = settings_mod.frozen(kwargs[key])
    return settings_mod.ArchSettings(images=settings_mod.frozen(images),
                                     **kwargs)


def make_settings(arch=None, ironic=None, **kwargs):
    """Planner settings for the three built-in architectures.

    :param arch: arch -> ArchSettings (or kwargs dict for
        :func:`arch_settings`) replacing the default group of that arch.
    :param ironic: kwargs of :class:`IronicOptions`.
    """
    groups = {name: arch_settings(name) for name in ARCHES}
    for name, value in (arch or {}).items():
        groups[name] = (value if isinstance(value, settings_mod.ArchSettings)
                        else arch_settings(name, **value))
    if ironic is not None:
        ironic = settings_mod.IronicOptions(**{
            k: settings_mod.frozen(v) if isinstance(v, dict) else v
            for k, v in ironic.items()})
    values = dict(enabled=ARCHES, tftp_server=TFTP, http_url=HTTP,
                  arch=settings_mod.frozen(groups),
                  ironic=ironic or settings_mod.IronicOptions())
    values.update(kwargs)
    return settings_mod.Settings(**values)


def make_facts(**kwargs):
    """Facts of a deploying x86_64 UEFI node with one port."""
    values = dict(uuid=UUID, cpu_arch='x86_64', boot_mode='uefi',
                  ports=(plan.Port(MAC),), extra_kernel_params=(API,))
    if 'driver_info' in kwargs:
        kwargs['driver_info'] = types.MappingProxyType(kwargs['driver_info'])
    values.update(kwargs)
    return plan.NodeFacts(**values)


def make_plan(settings=None, **kwargs):
    """Plan a node (see :func:`make_facts`) with :func:`make_settings`."""
    return plan.plan(make_facts(**kwargs), settings or make_settings(),
                     profiles())


def assert_names(exc, *parts):
    """Assert an error's message contains every part."""
    text = str(exc)
    missing = [p for p in parts if p not in text]
    assert not missing, 'missing %r in %r' % (missing, text)
