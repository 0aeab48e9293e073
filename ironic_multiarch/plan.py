"""From a node's facts and the settings to an immutable boot plan.

Pure: no Ironic import, no I/O. The conductor and the CLI call
:func:`plan` with the same facts and settings and get the same bytes.
"""

import dataclasses
import types

from ironic_multiarch import arch as arch_mod
from ironic_multiarch import dhcp
from ironic_multiarch import exception
from ironic_multiarch import paths
from ironic_multiarch import precedence as prec
from ironic_multiarch import render
from ironic_multiarch import safety

DEPLOY = 'deploy'
RESCUE = 'rescue'
INSTANCE = 'instance'
MODES = (DEPLOY, RESCUE, INSTANCE)
BOOT_MODES = ('uefi', 'bios')
TFTP = 'tftp'
HTTP = 'http'

#: image roles per mode (kernel role, ramdisk role).
_ROLES = {DEPLOY: ('deploy_kernel', 'deploy_ramdisk'),
          RESCUE: ('rescue_kernel', 'rescue_ramdisk'),
          INSTANCE: ('kernel', 'ramdisk')}


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
    :param instance_info: the node's ``instance_info`` (``kernel`` and
        ``ramdisk`` for the instance mode).
    :param ipxe: the node uses the iPXE boot interface.
    :param extra_kernel_params: arguments the conductor adds (e.g.
        ``ipa-api-url=...``), appended last.
    :param name: node name, for messages only.
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
    extra_kernel_params: tuple = ()
    name: object = None


@dataclasses.dataclass(frozen=True)
class LoaderFile:
    """A loader file an architecture needs in its directory of the roots."""

    name: str
    path: str
    source: object


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
                          'source': f.source.as_dict() if f.source else None}
                         for f in value]
            elif field.name == 'dhcp_options':
                value = [dict(o) for o in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[field.name] = value
        return out


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
    aliases = dict(settings.aliases)
    for name in settings.enabled:
        if name in profiles:
            aliases.update({a: name for a in profiles[name].aliases})
    known = [name for name in settings.enabled if name in profiles]
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


def _method(facts, profile, node):
    boot_mode = facts.boot_mode or 'uefi'
    if boot_mode not in BOOT_MODES:
        raise exception.InvalidSetting(
            'boot mode %r is not one of %s' % (boot_mode,
                                               ', '.join(BOOT_MODES)),
            node=node, arch=profile.name, option='capabilities boot_mode',
            example='openstack baremetal node set --property '
                    'capabilities=boot_mode:uefi %s' % node)
    method = profile.method_for(boot_mode)
    if method is None:
        raise exception.InvalidSetting(
            'boot mode %s is not possible on %s, which boots in: %s'
            % (boot_mode, profile.name, ', '.join(profile.boot_modes)),
            node=node, arch=profile.name, option='capabilities boot_mode',
            example='openstack baremetal node set --property '
                    'capabilities=boot_mode:%s %s'
                    % (profile.boot_modes[0], node))
    return boot_mode, method


def _loader(ipxe, settings, profile, method, node):
    if ipxe and method.ipxe_loader:
        return prec.Chosen(method.ipxe_loader,
                           'boot interface multiarch-ipxe', prec.NODE)
    group = '[multiarch_%s]loaders' % profile.name
    wanted = settings.for_arch(profile.name).loaders.get(method.name)
    if wanted:
        try:
            loader = method.loader(wanted)
        except KeyError:
            raise exception.InvalidSetting(
                'loader %r cannot boot its %s firmware; choose one of %s'
                % (wanted, method.name, ', '.join(method.loader_names)),
                node=node, arch=profile.name, option=group,
                example='%s:%s' % (method.name, method.loaders[0].name)
            ) from None
        return prec.Chosen(loader, '%s[%s]' % (group, method.name),
                           prec.ARCH_GROUP)
    loader = method.loader()
    option = ('[pxe]pxe_bootfile_name_by_arch'
              if loader.config_format != 'ipxe'
              else '[pxe]ipxe_bootfile_name_by_arch')
    for level, source, value in prec.by_arch(settings, profile, option):
        if value and loader.bootfile:
            name = safety.file_name(value, node, profile.name, source)
            known = [ld for ld in method.loaders if ld.bootfile == name]
            if known:
                return prec.Chosen(known[0], source, level)
            # Keep the default loader's files: a renamed shim still
            # loads GRUB from its own directory.
            files = (name,) + tuple(f for f in loader.files if f != name)
            return prec.Chosen(dataclasses.replace(
                loader, bootfile=name, files=files), source, level)
    return prec.Chosen(loader, 'profile %s' % profile.name, prec.PROFILE)


def _images(facts, settings, profile, node):
    chosen = []
    for role in _ROLES[facts.mode]:
        if facts.mode == INSTANCE:
            candidates = [(prec.NODE, 'instance_info/%s' % role,
                           facts.instance_info.get(role))]
            option, example = 'instance_info/%s' % role, None
        else:
            candidates = [(prec.NODE, 'driver_info/%s' % role,
                           facts.driver_info.get(role)),
                          (prec.ARCH_GROUP, '[multiarch_%s]%s'
                           % (profile.name, role),
                           settings.for_arch(profile.name).images.get(role))]
            candidates += prec.by_arch(settings, profile,
                                       '[conductor]%s_by_arch' % role)
            candidates += prec.ironic_global(settings, profile.name,
                                             '[conductor]%s' % role)
            option = '[multiarch_%s]%s (or the node\'s driver_info/%s)' % (
                profile.name, role, role)
            example = 'http://images.example.com/ipa-%s.%s' % (
                profile.name, role.split('_')[-1])
        found = prec.first(candidates)
        if found is None:
            raise exception.MissingSetting(
                'no %s is set for this architecture' % role, node=node,
                arch=profile.name, option=option, example=example)
        safety.href(found.value, node, profile.name, found.source)
        chosen.append((role, found))
    return chosen


def _kernel_params(facts, settings, profile, node):
    group = settings.for_arch(profile.name)
    candidates = [(prec.NODE, 'driver_info/kernel_append_params',
                   facts.driver_info.get('kernel_append_params')),
                  (prec.ARCH_GROUP,
                   '[multiarch_%s]kernel_append_params' % profile.name,
                   group.kernel_append_params),
                  (prec.PROFILE, 'profile %s' % profile.name,
                   profile.kernel_append_params)]
    candidates += prec.ironic_global(settings, profile.name,
                                     '[pxe]kernel_append_params')
    base = prec.first(candidates, empty_is_unset=False) or prec.Chosen(
        '', 'none', prec.PROFILE)
    args = safety.kernel_args(base.value, node, profile.name, base.source)
    given = [a for a in args if a.startswith('console=')]
    if given:
        console = prec.Chosen(' '.join(given), base.source, base.level)
        console_args = ()
    else:
        console = prec.first([
            (prec.ARCH_GROUP, '[multiarch_%s]console' % profile.name,
             group.console),
            (prec.PROFILE, 'profile %s' % profile.name, profile.console),
        ], empty_is_unset=False) or prec.Chosen('', 'none', prec.PROFILE)
        console_args = safety.kernel_args(console.value, node, profile.name,
                                          console.source)
    extra = safety.kernel_args(' '.join(facts.extra_kernel_params), node,
                               profile.name, 'the conductor settings')
    final = ' '.join(args + console_args + extra)
    return prec.Chosen(final, base.source, base.level), console


def _loader_files(settings, profile, loader):
    files = []
    group = settings.for_arch(profile.name).loader_paths
    for name in loader.files:
        candidates = [
            (prec.ARCH_GROUP, '[multiarch_%s]loader_paths[%s]'
             % (profile.name, name), group.get(name)),
            (prec.PROFILE, 'profile %s' % profile.name,
             profile.loader_paths.get(name))]
        if profile.name == settings.global_options_arch:
            candidates.append((prec.IRONIC_GLOBAL,
                               '[pxe]loader_file_paths[%s]' % name,
                               settings.ironic.loader_file_paths.get(name)))
        files.append(LoaderFile(
            name, paths.loader(settings.loader_dir, profile.name, name),
            prec.first(candidates)))
    return tuple(files)


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
    boot_mode, method = _method(facts, profile, node)
    loader = _loader(facts.ipxe, settings, profile, method, node)
    fmt = loader.value.config_format
    ports = tuple(
        Port(safety.mac(p.mac, node, profile.name),
             safety.client_id(p.client_id, node, profile.name)
             if p.client_id else None)
        for p in facts.ports)
    images = _images(facts, settings, profile, node)
    params, console = _kernel_params(facts, settings, profile, node)
    config_root = HTTP if facts.ipxe else TFTP
    image_root = HTTP if (facts.ipxe or (settings.grub_http
                                         and fmt == 'grub')) else TFTP
    locations = render.Locations(settings, fmt, image_root, node,
                                 profile.name)
    (kernel_role, kernel), (ramdisk_role, ramdisk) = images
    kernel_path = paths.image(uuid, kernel_role)
    ramdisk_path = paths.image(uuid, ramdisk_role)
    template = render.template_for(settings, profile.name, fmt)
    text = render.render(
        template.value, fmt, label=render.LABELS[facts.mode],
        kernel=locations.ref(kernel_path), ramdisk=locations.ref(ramdisk_path),
        kernel_params=params.value, timeout=settings.menu_timeout)
    links = []
    for port in ports:
        links.extend(p for p in paths.mac_links(fmt, port.mac, port.client_id)
                     if p not in links)
    stale = []
    for port in ports:
        for root in (TFTP, HTTP):
            stale.extend((root, p)
                         for p in paths.all_mac_links(port.mac, port.client_id)
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
                                      facts.ipxe, node, profile.name),
        loader_files=_loader_files(settings, profile, loader.value))


def loader_inventory(settings, profiles):
    """Every loader file the enabled architectures may be served.

    For each enabled architecture and boot method: the files of the
    loader the PXE interface uses and of the iPXE interface's loader.

    :returns: tuple of :class:`LoaderFile`, without duplicates.
    """
    files = []
    for name in settings.enabled:
        profile = profiles[name]
        for method in profile.methods:
            for ipxe in (False, True):
                chosen = _loader(ipxe, settings, profile, method, name)
                for item in _loader_files(settings, profile, chosen.value):
                    if item not in files:
                        files.append(item)
    return tuple(files)
