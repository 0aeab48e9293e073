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

"""Boot interfaces ``multiarch-pxe``, ``multiarch-ipxe``, ``multiarch-http``
and ``multiarch-http-ipxe``.

Thin subclasses of Ironic's PXE, iPXE, HTTP and iPXE-over-HTTP boot
interfaces: every decision (loader,
config format, kernel, ramdisk, arguments, DHCP options, file names) comes
from the pure planner; this module only turns a task into facts and
writes the plan.
"""

import dataclasses
import ipaddress
import os

from oslo_config import cfg
from oslo_log import log as logging

from ironic.common import boot_devices
from ironic.common import dhcp_factory
from ironic.common import exception
from ironic.common import pxe_utils
from ironic.common import states
from ironic.conductor import utils as manager_utils
from ironic.drivers.modules import boot_mode_utils
from ironic.drivers.modules import deploy_utils
from ironic.drivers.modules import ipxe
from ironic.drivers.modules import pxe

from ironic_multiarch.driver import config
from ironic_multiarch.driver import image_cache
from ironic_multiarch.driver import validation
from ironic_multiarch import exception as ma_exc
from ironic_multiarch import facts
from ironic_multiarch import plan as planner
from ironic_multiarch import tree

CONF = cfg.CONF
LOG = logging.getLogger(__name__)

PROPERTIES = {
    'deploy_kernel': 'Deploy kernel for this node. Optional: by default the '
                     'one of [multiarch_<cpu_arch>]deploy_kernel.',
    'deploy_ramdisk': 'Deploy ramdisk for this node. Optional: by default '
                      'the one of [multiarch_<cpu_arch>]deploy_ramdisk.',
    'rescue_kernel': 'Rescue kernel for this node. Optional: by default the '
                     'one of [multiarch_<cpu_arch>]rescue_kernel.',
    'rescue_ramdisk': 'Rescue ramdisk for this node. Optional: by default '
                      'the one of [multiarch_<cpu_arch>]rescue_ramdisk.',
    'kernel_append_params': 'Kernel arguments for this node, replacing '
                            '[multiarch_<cpu_arch>]kernel_append_params.',
}


def _port_dicts(task):
    return [{'address': p.address, 'pxe_enabled': p.pxe_enabled,
             'extra': p.extra or {}} for p in task.ports]


def _keeps_lenovo_nvram(task):
    """Ironic's rule: a Lenovo UEFI node being deployed keeps its NVRAM.

    Lenovo firmware may restore a backup of its NVRAM when several
    changes are requested, so Ironic does not set the disk as boot
    device at the end of its deployment (Ironic bug 2053064).
    """
    vendor = (task.node.properties.get('vendor') or '').lower()
    return (task.node.provision_state == states.DEPLOYING
            and vendor == 'lenovo'
            and boot_mode_utils.get_boot_mode(task.node) == 'uefi')


def _grub_ip_links(task):
    """Ironic's GRUB config names by IP address: ``<ip>.conf``.

    Ironic links each DHCP address of a UEFI GRUB node to its config
    (older master configs look there) and removes the links at clean-up.

    :returns: names relative to the TFTP root.
    :raises FailedToGetIPAddressOnPort: as Ironic does, unless DHCP is
        not managed (``[dhcp]dhcp_provider = none``).
    """
    try:
        addresses = dhcp_factory.DHCPFactory().provider.get_ip_addresses(
            task) or []
    except exception.FailedToGetIPAddressOnPort:
        if CONF.dhcp.dhcp_provider != 'none':
            raise
        return []
    names = []
    for address in addresses:
        try:
            names.append('%s.conf' % ipaddress.IPv4Address(address))
        except ValueError:
            LOG.debug('Node %(node)s: no GRUB config link for address '
                      '%(addr)s', {'node': task.node.uuid, 'addr': address})
    return names


class MultiarchBootMixin(validation.ValidationMixin):
    """What both multiarch boot interfaces share."""

    def __init__(self):
        # Ironic's own start-up first: the iPXE interface writes Ironic's
        # boot.ipxe (create_ipxe_boot_script: [pxe]ipxe_boot_script,
        # ipxe_fallback_script, pxe_config_subdir), the PXE interface
        # Ironic's grub/grub.cfg (place_common_config:
        # [pxe]initial_grub_template), and both copy [pxe]loader_file_paths.
        # These shared files are then the same whichever interface, stock
        # or multiarch, wrote them last.
        super().__init__()
        if self.http_boot_enabled and CONF.deploy.http_root:
            # Ironic's grub/grub.cfg names the TFTP root's path; GRUB
            # booted over HTTP reads it from the HTTP server.
            tree.alias_tftp_root(CONF.deploy.http_root, CONF.pxe.tftp_root,
                                 CONF.pxe.dir_permission)
        profiles, settings, _ = config.load()
        if not config.place_loaders_enabled():
            return
        missing = tree.place_loaders(
            config.roots(), planner.loader_inventory(settings, profiles),
            file_mode=settings.ironic.file_permission,
            dir_mode=settings.ironic.dir_permission)
        for item in missing:
            LOG.warning('Loader file %(name)s for %(path)s has no source on '
                        'this host (%(source)s); nodes that need it fail '
                        'validation until [multiarch_%(arch)s]loader_paths '
                        'names it.',
                        {'name': item.name, 'path': item.path,
                         'source': item.source and item.source.value,
                         'arch': item.path.split('/')[-2]})

    def get_properties(self):
        """Return the driver_info properties this interface reads.

        Ironic's own, with the image properties described as optional:
        by default they come from the node's architecture group.
        """
        properties = dict(super().get_properties())
        properties.update(PROPERTIES)
        return properties

    def plan(self, task, mode=planner.DEPLOY, ramdisk_params=None):
        """Plan how ``task.node`` boots.

        :param task: a TaskManager task.
        :param mode: ``deploy``, ``rescue``, ``instance`` or ``local``.
        :param ramdisk_params: what the deploy interface passes to the
            ramdisk; they become kernel arguments.
        :returns: :class:`~ironic_multiarch.plan.BootPlan`.
        :raises MissingParameterValue: a value the plan needs is unset.
        :raises InvalidParameterValue: a value cannot serve this node.
        """
        node = task.node
        try:
            profiles, settings, _ = config.load()
            node_facts = facts.node_facts(
                {'uuid': node.uuid, 'name': node.name,
                 'properties': node.properties,
                 'driver_info': node.driver_info,
                 'instance_info': node.instance_info},
                _port_dicts(task), mode=mode,
                extra_kernel_params=(
                    facts.ramdisk_kernel_params(ramdisk_params)
                    if mode in (planner.DEPLOY, planner.RESCUE) else ()),
                resolved_boot_mode=boot_mode_utils.get_boot_mode(node),
                global_request_id=task.context.global_id)
            node_facts = dataclasses.replace(
                node_facts, ipxe=self.ipxe_enabled,
                http_boot=self.http_boot_enabled)
            return planner.plan(node_facts, settings, profiles)
        except ma_exc.MultiarchError as exc:
            raise validation.ironic_error(exc) from exc

    def _write(self, task, boot_plan, update_dhcp=True):
        roots = config.roots()
        if boot_plan.kernel_path:
            # Ironic's own cache: auth, raw conversion, [pxe]file_permission.
            image_cache.cache_ramdisk_kernel(task, {
                'kernel': (boot_plan.kernel.value, os.path.join(
                    roots[boot_plan.image_root], boot_plan.kernel_path)),
                'ramdisk': (boot_plan.ramdisk.value, os.path.join(
                    roots[boot_plan.image_root], boot_plan.ramdisk_path))},
                ipxe_enabled=boot_plan.image_root == planner.HTTP)
        tree.write_plan(roots, boot_plan,
                        file_mode=CONF.pxe.file_permission,
                        dir_mode=CONF.pxe.dir_permission)
        if (boot_plan.config_format == 'grub'
                and (boot_plan.config_root == planner.TFTP
                     or self.http_boot_enabled)):
            # As Ironic's pxe and http interfaces, in the config's root.
            for name in _grub_ip_links(task):
                tree.link(roots[boot_plan.config_root], name,
                          boot_plan.config_path)
        if update_dhcp:
            dhcp_factory.DHCPFactory().update_dhcp(
                task, [dict(opt) for opt in boot_plan.dhcp_options])
        LOG.info('Node %(node)s (%(arch)s, %(method)s) boots %(loader)s '
                 'with %(format)s config %(config)s (%(mode)s)',
                 {'node': task.node.uuid, 'arch': boot_plan.arch,
                  'method': boot_plan.method,
                  'loader': boot_plan.bootfile or 'no loader',
                  'format': boot_plan.config_format,
                  'config': boot_plan.config_path, 'mode': boot_plan.mode})

    def _remove(self, task):
        """Remove the node's config, per-MAC links and images.

        Like Ironic's own clean-up, this leaves the DHCP options alone:
        the deploy interface clears them at tear-down.
        """
        roots = config.roots()
        if (not self.ipxe_enabled
                and boot_mode_utils.get_boot_mode(task.node) == 'uefi'):
            root = roots['http' if self.http_boot_enabled else 'tftp']
            for name in _grub_ip_links(task):
                tree.remove(root, name)
        tree.remove_node(roots, task.node.uuid,
                         [p.address for p in task.ports],
                         {p.address: (p.extra or {}).get('client-id')
                          for p in task.ports},
                         config_subdir=CONF.pxe.pxe_config_subdir)
        image_cache.clean_up(task)

    def prepare_ramdisk(self, task, ramdisk_params):
        """Write the deploy or rescue plan and set the node to boot it.

        The boot mode is synchronised with the BMC first, so that the
        plan is made for the firmware the node really has.
        """
        mode = deploy_utils.rescue_or_deploy_mode(task.node)
        if self.ipxe_enabled:
            pxe_utils.create_ipxe_boot_script()
        boot_mode_utils.sync_boot_mode(task)
        boot_plan = self.plan(task, mode, ramdisk_params)
        self._check_loaders(task, boot_plan)
        if task.node.provision_state == states.DEPLOYING:
            # As Ironic does: a netboot instance's kernel and ramdisk are
            # fetched (and checked) before the agent starts writing.
            instance_images = pxe_utils.get_instance_image_info(
                task, ipxe_enabled=self._use_http_folder())
            if instance_images:
                image_cache.cache_ramdisk_kernel(
                    task, instance_images,
                    ipxe_enabled=self._use_http_folder())
        self._write(task, boot_plan)
        self._node_set_boot_device_for_network_boot(task)

    def clean_up_ramdisk(self, task):
        """Remove the node's config, per-MAC links and images."""
        self._remove(task)

    def prepare_instance(self, task):
        """Network-boot a ramdisk instance, or hand the node to its disk.

        A local-boot node keeps a config that boots its disk when
        ``[pxe]enable_netboot_fallback`` is set, as with Ironic's own
        interfaces; the device and Lenovo rules are Ironic's.
        """
        boot_mode_utils.sync_boot_mode(task)
        node = task.node
        self._refuse_unsupported(task)
        boot_mode_utils.configure_secure_boot_if_needed(task)
        if deploy_utils.get_boot_option(node) == 'ramdisk':
            # Ironic's own lookup: Glance kernel_id/ramdisk_id land in
            # instance_info.
            pxe_utils.get_instance_image_info(
                task, ipxe_enabled=self._use_http_folder())
            self._write(task, self.plan(task, planner.INSTANCE))
            boot_device = boot_devices.PXE
        else:
            if CONF.pxe.enable_netboot_fallback:
                self._write(task, self.plan(task, planner.LOCAL),
                            update_dhcp=False)
            else:
                self._remove(task)
            boot_device = boot_devices.DISK
        # Ironic does not re-set the boot device of ACTIVE nodes during
        # takeover.
        if node.provision_state in (states.ACTIVE, states.ADOPTING):
            return
        if boot_device == boot_devices.PXE:
            self._node_set_boot_device_for_network_boot(task, persistent=True)
        elif not _keeps_lenovo_nvram(task):
            manager_utils.node_set_boot_device(task, boot_device,
                                               persistent=True)

    def clean_up_instance(self, task):
        """Remove the instance's network boot files."""
        self._remove(task)
        boot_mode_utils.deconfigure_secure_boot_if_needed(task)


class MultiarchPXEBoot(MultiarchBootMixin, pxe.PXEBoot):
    """PXE boot that serves each node its own architecture's loader.

    GRUB for UEFI x86_64 and aarch64 (optionally behind shim), pxelinux for
    x86_64 BIOS, petitboot's own config for ppc64le OPAL machines.
    """


class MultiarchIPXEBoot(MultiarchBootMixin, ipxe.iPXEBoot):
    """iPXE boot with each architecture's iPXE binary and HTTP files.

    ppc64le OPAL machines, whose petitboot cannot chain iPXE, get a
    petitboot config served over HTTP.
    """


class MultiarchHttpBoot(MultiarchBootMixin, pxe.HttpBoot):
    """UEFI HTTP boot with each architecture's own GRUB (or shim).

    The firmware gets the loader's URL below ``[deploy]http_url`` with
    option 60 ``HTTPClient``; GRUB reads its config, kernel and ramdisk
    from the HTTP server named in full, port included. x86_64 and
    aarch64 UEFI only: BIOS and petitboot machines cannot boot over HTTP
    and are refused at validation.
    """


class MultiarchHttpIPXEBoot(MultiarchBootMixin, ipxe.iPXEHttpBoot):
    """UEFI HTTP boot of each architecture's iPXE binary.

    The firmware gets ``snponly.efi`` of its architecture as a URL; iPXE
    then chains Ironic's ``boot.ipxe``, as with ``multiarch-ipxe``.
    x86_64 and aarch64 UEFI only.
    """
