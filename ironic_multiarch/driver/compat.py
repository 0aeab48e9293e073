"""The few places where supported Ironic releases differ.

Supported: 2024.1 (ironic 24.1.x), 2025.1 (29.0.x), 2026.2 (39.0.x).
Everything else the driver uses is the same in all three.
"""

from oslo_config import cfg

from ironic.common import image_service
from ironic.common import pxe_utils
from ironic.drivers.modules import deploy_utils

#: ``image_service.get_image_service_auth_override`` appeared after 2024.1.
_AUTH_OVERRIDE = getattr(image_service, 'get_image_service_auth_override',
                         None)


def fetch_images(task, images):
    """Fetch ``(href, destination)`` pairs through Ironic's TFTP image cache.

    Later releases fetch conductor-side caches with system (not user)
    credentials; 2024.1 has no such argument.

    :param task: a TaskManager task.
    :param images: list of ``(href, absolute destination path)``.
    """
    kwargs = {}
    if _AUTH_OVERRIDE is not None:
        kwargs['image_auth_data'] = _AUTH_OVERRIDE(task.node,
                                                   permit_user_auth=False)
    deploy_utils.fetch_images(task.context, pxe_utils.TFTPImageCache(),
                              images, cfg.CONF.force_raw_images, **kwargs)


def clean_image_cache():
    """Let Ironic's TFTP image cache drop what no node links to any more."""
    pxe_utils.TFTPImageCache().clean_up()
