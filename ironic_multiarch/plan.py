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

"""From a node's facts and the settings to an immutable boot plan.

Pure: no Ironic import, no I/O. The conductor and the CLI call
:func:`plan` with the same facts and settings and get the same bytes.
"""

import dataclasses
import types

from ironic_multiarch import arch as arch_mod
from ironic_multiarch import choices
from ironic_multiarch import dhcp
from ironic_multiarch import exception
from ironic_multiarch import loader_choice
from ironic_multiarch import paths
from ironic_multiarch.profiles import base
from ironic_multiarch import precedence as prec
from ironic_multiarch import render
from ironic_multiarch import safety

DEPLOY = 'deploy'
RESCUE = 'rescue'
INSTANCE = choices.INSTANCE
#: a local-boot instance with ``[pxe]enable_netboot_fallback``: the
#: config hands the machine to its disk.
LOCAL = 'local'
MODES = (DEPLOY, RESCUE, INSTANCE, LOCAL)
#: Built-in config per format for :data:`LOCAL`.
LOCAL_TEMPLATES = {'grub': 'grub-local.cfg.j2',
                   'pxelinux': 'pxelinux-local.cfg.j2',
                   'petitboot': 'petitboot-local.cfg.j2',
                   'ipxe': 'ipxe-local.j2'}
BOOT_MODES = choices.BOOT_MODES
LoaderFile = loader_choice.LoaderFile
TFTP = 'tftp'
HTTP = 'http'

@dataclasses.dataclass(frozen=True)
class Port:
    """A PXE-enabled port: MAC address and optional DHCP client id."""

    mac: str
    client_id: object = None


@dataclasses.dataclass(frozen=True)
class NodeFacts:
    """What the planner knows of a node.

    :param uuid: node UUID.
    :param cpu_arch: ``properties/cpu_arch`` as stored (any alias).
    :param boot_mode: Ironic boot mode (``uefi``/``bios``), or ``None``
        for the conductor's default.
    :param ports: tuple of :class:`Port` (PXE-enabled only).
    :param mode: ``deploy`` (also cleaning, inspection, servicing),
        ``rescue`` or ``instance`` (ramdisk/netboot instance).
    :param driver_info: the node's ``driver_info`` (or its relevant keys).
    :param instance_info: the node's ``instance_info`` (or its relevant
        keys): ``kernel`` and ``ramdisk`` of the instance mode,
        ``kernel_append_params`` (wins over ``driver_info``'s) and
        ``ramdisk_kernel_arguments`` (the end of a ramdisk instance's
        kernel line).
    :param ipxe: the node uses the iPXE boot interface.
    :param http_boot: the node boots over UEFI HTTP (``multiarch-http``,
        ``multiarch-http-ipxe``): its firmware gets its loader as a URL
        below ``[deploy]http_url`` and every file comes over HTTP.
    :param extra_kernel_params: the ramdisk parameters the conductor adds
        (e.g. ``ipa-api-url=...``), after the node's arguments and
        ``ipa-debug=1``.
    :param global_request_id: the global request id of the operation
        (Ironic's ``task.context.global_id``), passed to the ramdisk as
        ``ipa-global-request-id``; ``None``: none (the CLI has none).
    :param name: node name, for messages only.
    :param secure_boot: the node asks for UEFI Secure Boot
        (``instance_info/capabilities`` ``secure_boot: true``, what
        Ironic's ``is_secure_boot_requested`` reads): it gets its
        architecture's shim.
    """

    uuid: str
    cpu_arch: object = None
    boot_mode: object = None
    ports: tuple = ()
    mode: str = DEPLOY
    driver_info: object = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))
    instance_info: object = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))
    ipxe: bool = False
    http_boot: bool = False
    extra_kernel_params: tuple = ()
    name: object = None
    global_request_id: object = None
    secure_boot: bool = False


@dataclasses.dataclass(frozen=True)
class BootPlan:
    """Everything a node gets to boot, with where each value came from."""

    node: str
    arch: str
    boot_mode: str
    method: str
    firmware: str
    mode: str
    loader: prec.Chosen
    bootfile: object
    config_format: str
    config_root: str
    config_path: str
    config_text: str
    links: tuple
    stale_links: tuple
    image_root: str
    kernel: prec.Chosen
    ramdisk: prec.Chosen
    kernel_path: str
    ramdisk_path: str
    kernel_params: prec.Chosen
    console: prec.Chosen
    template: prec.Chosen
    dhcp_options: tuple
    loader_files: tuple

    @property
    def provenance(self):
        """Field -> source of every chosen value."""
        return {name: getattr(self, name).source for name in
                ('loader', 'kernel', 'ramdisk', 'kernel_params', 'console',
                 'template')}

    def as_dict(self):
        """Plain-data form (JSON output, comparisons)."""
        out = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if isinstance(value, prec.Chosen):
                value = value.as_dict()
            elif field.name == 'loader_files':
                value = [{'name': f.name, 'path': f.path,
                          'source': f.source.as_dict() if f.source else None,
                          'link': f.link}
                         for f in value]
            elif field.name == 'dhcp_options':
                value = [dict(o) for o in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[field.name] = value
        return out


def known_architectures(settings, profiles):
    """The architectures this conductor serves, and every name for them.

    :param settings: :class:`~ironic_multiarch.settings.Settings`.
    :param profiles: canonical name -> installed profile.
    :returns: ``(names, aliases)``: the canonical names of the enabled,
        installed profiles, and alias -> canonical name (the built-in
        aliases of those names, ``[multiarch]arch_aliases``, then the
        profiles' own, later ones winning).
    """
    known = tuple(n for n in settings.enabled if n in profiles)
    aliases = {a: c for a, c in arch_mod.ALIASES.items()
               if c in known and a != c}
    aliases.update(settings.aliases)
    for name in known:
        aliases.update({a: name for a in profiles[name].aliases})
    return known, aliases


def resolve_arch(facts, settings, profiles):
    """Return the canonical architecture of a node and how it was chosen.

    :raises MissingSetting: no ``cpu_arch`` and no default architecture.
    :raises InvalidSetting: unknown or disabled architecture.
    """
    node = facts.name or facts.uuid
    if not facts.cpu_arch:
        if settings.default_arch:
            return prec.Chosen(settings.default_arch,
                               '[multiarch]default_arch', prec.ARCH_GROUP)
        raise exception.MissingSetting(
            'it has no cpu_arch property and no default architecture is '
            'configured', node=node, option="the node's cpu_arch property "
            "(or [multiarch]default_arch)",
            example='openstack baremetal node set --property '
                    'cpu_arch=aarch64 %s' % node)
    known, aliases = known_architectures(settings, profiles)
    try:
        name = arch_mod.normalize(facts.cpu_arch, known, aliases)
    except ValueError as exc:
        raise exception.InvalidSetting(
            str(exc), node=node, arch=facts.cpu_arch,
            option="the node's cpu_arch property (or enable the "
                   "architecture in [multiarch]enabled_architectures)",
            example='openstack baremetal node set --property '
                    'cpu_arch=%s %s' % (known[0] if known else 'x86_64',
                                        node)) from None
    return prec.Chosen(name, 'node properties/cpu_arch', prec.NODE)


def plan(facts, settings, profiles):
    """Plan how a node boots.

    :param facts: :class:`NodeFacts`.
    :param settings: :class:`~ironic_multiarch.settings.Settings`.
    :param profiles: canonical name -> installed profile.
    :returns: :class:`BootPlan`.
    :raises PlanError: (a subclass) naming the node, architecture, option
        to set and an example value.
    """
    uuid = safety.uuid(facts.uuid, facts.cpu_arch)
    node = facts.name or uuid
    if facts.mode not in MODES:
        raise exception.InvalidSetting('mode %r is not one of %s'
                                       % (facts.mode, ', '.join(MODES)),
                                       node=node)
    arch = resolve_arch(facts, settings, profiles)
    profile = profiles[arch.value]
    boot_mode, method = choices.boot_method(facts, profile, node,
                                            settings)
    loader = loader_choice.loader(facts.ipxe, settings, profile, method, node,
                            boot_mode, facts.secure_boot)
    fmt = loader.value.config_format
    ports = tuple(
        Port(safety.mac(p.mac, node, profile.name),
             safety.client_id(p.client_id, node, profile.name)
             if p.client_id else None)
        for p in facts.ports)
    if facts.http_boot:
        _check_http_boot(facts, profile, method, boot_mode, node)
    config_root = HTTP if (facts.ipxe or facts.http_boot) else TFTP
    image_root = HTTP if (facts.ipxe or facts.http_boot or (settings.grub_http
                                         and fmt == 'grub')) else TFTP
    if facts.mode == LOCAL:
        entry = _local_entry(settings, fmt)
    else:
        entry = _boot_entry(facts, settings, profile, node, uuid, fmt,
                            image_root)
    (kernel, ramdisk, kernel_path, ramdisk_path, params, console, template,
     text) = entry
    # pxelinux looks for its config beside itself (no option 210 needed).
    arch_dir = safety.relpath(settings.loader_dir, profile.name)
    config_dir = (arch_dir if fmt == base.PXELINUX and loader.value.bootfile
                  else '')
    links = []
    for port in ports:
        links.extend(p for p in paths.mac_links(fmt, port.mac, port.client_id,
                                                config_dir,
                                                settings.ironic.config_subdir)
                     if p not in links)
    stale = []
    for port in ports:
        for root in (TFTP, HTTP):
            stale.extend((root, p)
                         for p in paths.all_mac_links(
                             port.mac, port.client_id, (arch_dir,),
                             settings.ironic.config_subdir)
                         if (root, p) not in stale
                         and not (root == config_root and p in links))
    return BootPlan(
        node=uuid, arch=profile.name, boot_mode=boot_mode,
        method=method.name, firmware=method.firmware, mode=facts.mode,
        loader=prec.Chosen(loader.value.name, loader.source, loader.level),
        bootfile=loader.value.bootfile and paths.loader(
            settings.loader_dir, profile.name, loader.value.bootfile),
        config_format=fmt, config_root=config_root,
        config_path=paths.config(uuid), config_text=text,
        links=tuple(links), stale_links=tuple(stale), image_root=image_root,
        kernel=kernel, ramdisk=ramdisk, kernel_path=kernel_path,
        ramdisk_path=ramdisk_path, kernel_params=params, console=console,
        template=template,
        dhcp_options=dhcp.options_for(settings, method, loader.value, uuid,
                                      facts.ipxe, node, profile.name,
                                      http_boot=facts.http_boot),
        loader_files=loader_choice.loader_files(settings, profile, loader.value))


#: The interface that boots a node whose firmware cannot boot over HTTP.
NOT_HTTP = {False: 'multiarch-pxe', True: 'multiarch-ipxe'}


def _check_http_boot(facts, profile, method, boot_mode, node):
    """Refuse UEFI HTTP boot where the firmware has none.

    Only UEFI firmware boots over HTTP, sending DHCP client architecture
    16 (x86_64) or 19 (aarch64): BIOS machines and petitboot do not.

    :raises InvalidSetting: naming the interface to use instead.
    """
    if method.http_client_arch:
        return
    instead = NOT_HTTP[facts.ipxe]
    other_modes = [m for m in profile.boot_modes if m != boot_mode and any(
        m in meth.boot_modes and meth.http_client_arch
        for meth in profile.methods)]
    raise exception.InvalidSetting(
        'UEFI HTTP boot is not possible in boot mode %s: its %s firmware '
        'has no HTTP boot (only UEFI firmware of %s boots over HTTP)'
        % (boot_mode, method.firmware, profile.name) if other_modes else
        'UEFI HTTP boot is not possible on %s: its %s firmware has no '
        'HTTP boot' % (profile.name, method.firmware),
        node=node, arch=profile.name,
        option="the node's boot interface (%s)%s" % (
            instead, ', or capabilities boot_mode:%s' % other_modes[0]
            if other_modes else ''),
        example='openstack baremetal node set --boot-interface %s %s'
        % (instead, node))


#: The master config GRUB booted over HTTP reads first.
def _local_entry(settings, fmt):
    """What a local-boot fallback config boots: the disk, no images."""
    none = prec.Chosen(None, 'local boot: the disk', prec.PROFILE)
    empty = prec.Chosen('', 'local boot: the disk', prec.PROFILE)
    template = prec.Chosen(render.builtin(LOCAL_TEMPLATES[fmt]),
                           'built-in local %s template' % fmt, prec.PROFILE)
    text = render.render(template.value, fmt, timeout=settings.menu_timeout)
    return none, none, None, None, empty, empty, template, text


def _boot_entry(facts, settings, profile, node, uuid, fmt, image_root):
    """Kernel, ramdisk, arguments, template and text of a node's entry."""
    images = choices.images(facts, settings, profile, node)
    params, console = choices.kernel_params(facts, settings, profile, node,
                                            fmt)
    locations = render.Locations(settings, fmt, image_root, node,
                                 profile.name)
    (kernel_role, kernel), (ramdisk_role, ramdisk) = images
    kernel_path = paths.image(uuid, kernel_role)
    ramdisk_path = paths.image(uuid, ramdisk_role)
    template = render.template_for(settings, profile.name, fmt)
    text = render.render(
        template.value, fmt, label=render.LABELS[facts.mode],
        kernel=locations.ref(kernel_path), ramdisk=locations.ref(ramdisk_path),
        kernel_params=params.value, timeout=settings.menu_timeout,
        ipxe_timeout=settings.ironic.ipxe_timeout * 1000,
        # Ironic's deploy and rescue entries pass the booting NIC to the
        # ramdisk; its ramdisk instance entries do not.
        bootif=facts.mode != INSTANCE)
    return (kernel, ramdisk, kernel_path, ramdisk_path, params, console,
            template, text)


def loader_inventory(settings, profiles):
    """Every loader file the enabled architectures may be served.

    For each enabled architecture, boot method and boot mode: the files
    of the loader the PXE interface uses (with and without Secure Boot)
    and of the iPXE interface's loader.

    :returns: tuple of :class:`LoaderFile`, without duplicates.
    """
    files = []
    for name in settings.enabled:
        profile = profiles[name]
        for method in choices.methods(settings, profile):
            secure = (False, True) if any(
                ld.name == loader_choice.SHIM for ld in method.loaders) else (False,)
            for boot_mode in method.boot_modes:
                for ipxe, secure_boot in [(True, False)] + [
                        (False, s) for s in secure]:
                    chosen = loader_choice.loader(ipxe, settings, profile, method,
                                            name, boot_mode, secure_boot)
                    for item in loader_choice.loader_files(settings, profile,
                                                     chosen.value):
                        if item not in files:
                            files.append(item)
    return tuple(files)
