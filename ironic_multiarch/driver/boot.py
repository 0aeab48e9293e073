"""Boot interfaces ``multiarch-pxe`` and ``multiarch-ipxe``.

Thin subclasses of Ironic's PXE and iPXE boot: every decision (loader,
config format, kernel, ramdisk, arguments, DHCP options, file names) comes
from the pure planner; this module only turns a task into facts and
writes the plan.
"""

import dataclasses
import os

from oslo_config import cfg
from oslo_log import log as logging

from ironic.common import boot_devices
from ironic.common import dhcp_factory
from ironic.common import exception
from ironic.common import states
from ironic.conductor import utils as manager_utils
from ironic.drivers.modules import boot_mode_utils
from ironic.drivers.modules import deploy_utils
from ironic.drivers.modules import ipxe
from ironic.drivers.modules import pxe
from ironic.drivers import utils as driver_utils

from ironic_multiarch.driver import compat
from ironic_multiarch.driver import config
from ironic_multiarch import exception as ma_exc
from ironic_multiarch import facts
from ironic_multiarch import plan as planner
from ironic_multiarch import render
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


def _ironic_error(exc):
    if isinstance(exc, ma_exc.PlanError) and exc.missing:
        return exception.MissingParameterValue(str(exc))
    return exception.InvalidParameterValue(str(exc))


def _port_dicts(task):
    return [{'address': p.address, 'pxe_enabled': p.pxe_enabled,
             'extra': p.extra or {}} for p in task.ports]


class MultiarchBootMixin(object):
    """What both multiarch boot interfaces share."""

    def __init__(self):
        profiles, settings, _ = config.load()
        if not config.place_loaders_enabled():
            return
        missing = tree.place_loaders(
            config.roots(), planner.loader_inventory(settings, profiles),
            render.shared_files())
        for item in missing:
            LOG.warning('Loader file %(name)s for %(path)s has no source on '
                        'this host (%(source)s); nodes that need it fail '
                        'validation until [multiarch_%(arch)s]loader_paths '
                        'names it.',
                        {'name': item.name, 'path': item.path,
                         'source': item.source and item.source.value,
                         'arch': item.path.split('/')[-2]})

    def get_properties(self):
        """Return the driver_info properties this interface reads."""
        return dict(PROPERTIES)

    def plan(self, task, mode=planner.DEPLOY, ramdisk_params=None):
        """Plan how ``task.node`` boots.

        :param task: a TaskManager task.
        :param mode: ``deploy``, ``rescue`` or ``instance``.
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
                    facts.ramdisk_kernel_params(ramdisk_params, CONF.debug)
                    if mode != planner.INSTANCE else ()),
                resolved_boot_mode=boot_mode_utils.get_boot_mode(node))
            node_facts = dataclasses.replace(node_facts,
                                             ipxe=self.ipxe_enabled)
            return planner.plan(node_facts, settings, profiles)
        except ma_exc.MultiarchError as exc:
            raise _ironic_error(exc) from exc

    def _check_loaders(self, task, boot_plan):
        for item, _ in tree.missing_loaders(config.roots()['tftp'],
                                            boot_plan.loader_files)[:1]:
            raise _ironic_error(ma_exc.MissingSetting(
                'loader file %s is not in the TFTP root at %s (it is copied '
                'there from its host path when the conductor starts)'
                % (item.name, item.path), node=task.node.name
                or task.node.uuid, arch=boot_plan.arch,
                option='[multiarch_%s]loader_paths' % boot_plan.arch,
                example='%s:/srv/loaders/%s/%s' % (item.name, boot_plan.arch,
                                                   item.name)))

    def _validate_plan(self, task, mode):
        if not driver_utils.get_node_mac_addresses(task):
            raise exception.MissingParameterValue(
                'Node %s does not have any port associated with it'
                % task.node.uuid)
        deploy_utils.validate_capabilities(task.node)
        boot_plan = self.plan(task, mode)
        self._check_loaders(task, boot_plan)
        return boot_plan

    def validate(self, task):
        """Validate that the node can be planned and its loader is there.

        :raises MissingParameterValue: no ports, no images for its
            architecture, no cpu_arch, loader file absent.
        :raises InvalidParameterValue: unknown architecture, impossible
            boot mode, unsafe value.
        """
        self._validate_plan(task, planner.DEPLOY)
        node = task.node
        boot_option = deploy_utils.get_boot_option(node)
        if (not task.driver.storage.should_write_image(task)
                or boot_option == 'local'):
            return
        d_info = deploy_utils.get_image_instance_info(node)
        deploy_utils.validate_image_properties(task, d_info)

    def validate_rescue(self, task):
        """Validate that the node can be planned in rescue mode."""
        self._validate_plan(task, planner.RESCUE)

    def validate_inspection(self, task):
        """Validate managed inspection (falls back to unmanaged)."""
        try:
            self._validate_plan(task, planner.DEPLOY)
        except exception.MissingParameterValue as exc:
            raise exception.UnsupportedDriverExtension(
                'Insufficient information for managed inspection: %s' % exc)

    def _write(self, task, boot_plan):
        roots = config.roots()
        image_root = roots[boot_plan.image_root]
        os.makedirs(os.path.join(image_root, boot_plan.node), exist_ok=True)
        compat.fetch_images(task, [
            (boot_plan.kernel.value,
             os.path.join(image_root, boot_plan.kernel_path)),
            (boot_plan.ramdisk.value,
             os.path.join(image_root, boot_plan.ramdisk_path))])
        tree.write_plan(roots, boot_plan)
        dhcp_factory.DHCPFactory().update_dhcp(
            task, [dict(opt) for opt in boot_plan.dhcp_options])
        LOG.info('Node %(node)s (%(arch)s, %(method)s) boots %(loader)s '
                 'with %(format)s config %(config)s',
                 {'node': task.node.uuid, 'arch': boot_plan.arch,
                  'method': boot_plan.method,
                  'loader': boot_plan.bootfile or 'no loader',
                  'format': boot_plan.config_format,
                  'config': boot_plan.config_path})

    def _remove(self, task):
        dhcp_factory.DHCPFactory().clean_dhcp(task)
        tree.remove_node(config.roots(), task.node.uuid,
                         [p.address for p in task.ports],
                         {p.address: (p.extra or {}).get('client-id')
                          for p in task.ports})
        compat.clean_image_cache()

    def prepare_ramdisk(self, task, ramdisk_params):
        """Write the deploy or rescue plan and set the node to boot it."""
        mode = deploy_utils.rescue_or_deploy_mode(task.node)
        boot_plan = self.plan(task, mode, ramdisk_params)
        self._check_loaders(task, boot_plan)
        boot_mode_utils.sync_boot_mode(task)
        self._write(task, boot_plan)
        self._node_set_boot_device_for_network_boot(task)

    def clean_up_ramdisk(self, task):
        """Remove the node's config, per-MAC links and images."""
        self._remove(task)

    def prepare_instance(self, task):
        """Network-boot a ramdisk instance, or hand the node to its disk."""
        boot_mode_utils.sync_boot_mode(task)
        node = task.node
        boot_mode_utils.configure_secure_boot_if_needed(task)
        if deploy_utils.get_boot_option(node) == 'ramdisk':
            boot_plan = self.plan(task, planner.INSTANCE)
            self._write(task, boot_plan)
            boot_device = boot_devices.PXE
        else:
            self._remove(task)
            boot_device = boot_devices.DISK
        if node.provision_state in (states.ACTIVE, states.ADOPTING):
            return
        if boot_device == boot_devices.PXE:
            self._node_set_boot_device_for_network_boot(task, persistent=True)
        else:
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
