#!/bin/bash
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

# plugin.sh - devstack plugin of ironic-multiarch: one conductor, many
# CPU architectures. Enable it after Ironic, whose configuration it extends:
#
#   enable_plugin ironic https://opendev.org/openstack/ironic
#   enable_plugin ironic-multiarch <this repository>
#
# Settings (defaults in devstack/settings):
#   IRONIC_MULTIARCH_ARCHES           architectures served besides
#                                     IRONIC_HW_ARCH, e.g. "aarch64,ppc64le"
#   IRONIC_MULTIARCH_<ARCH>_DEPLOY_KERNEL, IRONIC_MULTIARCH_<ARCH>_DEPLOY_RAMDISK
#                                     deploy images of one architecture
#                                     (<ARCH>: X86_64, AARCH64, PPC64LE);
#                                     IRONIC_HW_ARCH falls back to
#                                     IRONIC_DEPLOY_KERNEL/_RAMDISK
#   IRONIC_MULTIARCH_HARDWARE_TYPES   default: the multiarch twin of each
#                                     enabled in-tree type
#   IRONIC_MULTIARCH_BOOT_INTERFACES  default: multiarch-pxe,multiarch-ipxe
#   IRONIC_MULTIARCH_INSTALL_LOADERS  install the signed loader packages
#   IRONIC_MULTIARCH_LOADER_ROOT      prefix of the packages' loader paths
#   IRONIC_MULTIARCH_HOST_ARCH        this host's architecture (uname -m)
#
# Phases: stack/install installs the package into Ironic's environment;
# stack/post-config appends to Ironic's ironic.conf (idempotent); stack/extra
# runs `ironic-multiarch doctor`; clean removes the loader directories the
# conductor placed. Nothing else is touched.

IRONIC_CONF_FILE=${IRONIC_CONF_FILE:-/etc/ironic/ironic.conf}
IRONIC_HW_ARCH=${IRONIC_HW_ARCH:-x86_64}

# Canonical name of an architecture (Ironic's devstack says x86_64/aarch64).
function _multiarch_canonical {
    case $1 in
        amd64) echo x86_64 ;;
        arm64) echo aarch64 ;;
        ppc64el) echo ppc64le ;;
        *) echo "$1" ;;
    esac
}

# Print the comma list $1 with the items of $2 appended, each item once.
function _multiarch_merge {
    local item result=()
    for item in ${1//,/ } ${2//,/ }; do
        [[ " ${result[*]} " == *" $item "* ]] || result+=("$item")
    done
    local IFS=,
    echo "${result[*]}"
}

# The architectures to serve: IRONIC_HW_ARCH first, then the extra ones.
function _multiarch_arches {
    local arch result=""
    for arch in $IRONIC_HW_ARCH ${IRONIC_MULTIARCH_ARCHES//,/ }; do
        result=$(_multiarch_merge "$result" "$(_multiarch_canonical $arch)")
    done
    echo "$result"
}

# Debian/Ubuntu loader files of an architecture, as file:path (the same
# table as the profiles' loader_paths; a unit test keeps them equal).
function _multiarch_debian_loaders {
    case $1 in
        x86_64)
            echo pxelinux.0:/usr/lib/PXELINUX/pxelinux.0
            echo ldlinux.c32:/usr/lib/syslinux/modules/bios/ldlinux.c32
            echo undionly.kpxe:/usr/lib/ipxe/undionly.kpxe
            echo snponly.efi:/usr/lib/ipxe/snponly.efi
            echo grubx64.efi:/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed
            echo bootx64.efi:/usr/lib/shim/shimx64.efi.signed
            ;;
        aarch64)
            echo grubaa64.efi:/usr/lib/grub/arm64-efi-signed/grubnetaa64.efi.signed
            echo bootaa64.efi:/usr/lib/shim/shimaa64.efi.signed
            ;;
    esac
}

# Debian/Ubuntu packages holding those loaders that this host can install.
function _multiarch_debian_packages {
    local host
    host=$(_multiarch_canonical $IRONIC_MULTIARCH_HOST_ARCH)
    case $1 in
        x86_64)
            echo syslinux-common pxelinux ipxe
            [[ $host == x86_64 ]] && echo grub-efi-amd64-signed shim-signed
            ;;
        aarch64)
            [[ $host == aarch64 ]] && echo grub-efi-arm64-signed shim-signed
            ;;
    esac
    return 0
}

# An image setting as ironic.conf wants it: absolute paths become file://.
function _multiarch_image {
    if [[ $1 == /* ]]; then echo "file://$1"; else echo "$1"; fi
}

function install_ironic_multiarch {
    setup_develop $IRONIC_MULTIARCH_DIR
    if [[ $IRONIC_MULTIARCH_INSTALL_LOADERS == True ]] && is_ubuntu; then
        local arch packages=""
        for arch in $(_multiarch_arches | tr , ' '); do
            packages+=" $(_multiarch_debian_packages $arch)"
        done
        packages=$(_multiarch_merge "" "$packages" | tr , ' ')
        if [[ -n $packages ]]; then
            install_package $packages
        fi
    fi
}

function configure_ironic_multiarch_arch {
    local arch=$1 group=multiarch_$1 var kernel ramdisk entry paths=""
    var=IRONIC_MULTIARCH_${arch^^}_DEPLOY_KERNEL
    kernel=${!var:-}
    var=IRONIC_MULTIARCH_${arch^^}_DEPLOY_RAMDISK
    ramdisk=${!var:-}
    if [[ $arch == "$(_multiarch_canonical $IRONIC_HW_ARCH)" ]]; then
        kernel=${kernel:-${IRONIC_DEPLOY_KERNEL:-}}
        ramdisk=${ramdisk:-${IRONIC_DEPLOY_RAMDISK:-}}
    fi
    if [[ -n $kernel ]]; then
        iniset $IRONIC_CONF_FILE $group deploy_kernel "$(_multiarch_image $kernel)"
    fi
    if [[ -n $ramdisk ]]; then
        iniset $IRONIC_CONF_FILE $group deploy_ramdisk "$(_multiarch_image $ramdisk)"
    fi

    # Only loaders present on this host; the profile names the others.
    for entry in $(_multiarch_debian_loaders $arch); do
        if [[ -f $IRONIC_MULTIARCH_LOADER_ROOT${entry#*:} ]]; then
            paths=$(_multiarch_merge "$paths" \
                "${entry%%:*}:$IRONIC_MULTIARCH_LOADER_ROOT${entry#*:}")
        fi
    done
    if [[ -n $paths ]]; then
        iniset $IRONIC_CONF_FILE $group loader_paths "$paths"
    fi
}

function configure_ironic_multiarch {
    local types=$IRONIC_MULTIARCH_HARDWARE_TYPES current arch arches
    current=$(iniget $IRONIC_CONF_FILE DEFAULT enabled_hardware_types)
    if [[ -z $types ]]; then
        [[ ,$current, == *,ipmi,* ]] && types+=,multiarch-ipmi
        [[ ,$current, == *,redfish,* ]] && types+=,multiarch-redfish
        [[ ,$current, == *,manual-management,* ]] && types+=,multiarch-manual
    fi
    iniset $IRONIC_CONF_FILE DEFAULT enabled_hardware_types \
        "$(_multiarch_merge "$current" "$types")"
    current=$(iniget $IRONIC_CONF_FILE DEFAULT enabled_boot_interfaces)
    iniset $IRONIC_CONF_FILE DEFAULT enabled_boot_interfaces \
        "$(_multiarch_merge "$current" "$IRONIC_MULTIARCH_BOOT_INTERFACES")"

    arches=$(_multiarch_arches)
    arch=$(_multiarch_canonical $IRONIC_HW_ARCH)
    iniset $IRONIC_CONF_FILE multiarch enabled_architectures "$arches"
    iniset $IRONIC_CONF_FILE multiarch default_arch $arch
    # Ironic's devstack configures its global deploy images for this arch.
    iniset $IRONIC_CONF_FILE multiarch global_options_arch $arch
    iniset $IRONIC_CONF_FILE multiarch place_loaders True
    for arch in ${arches//,/ }; do
        configure_ironic_multiarch_arch $arch
    done
}

function check_ironic_multiarch {
    local cli=${IRONIC_BIN_DIR:+$IRONIC_BIN_DIR/}ironic-multiarch
    if ! $cli doctor --config-file $IRONIC_CONF_FILE; then
        echo "WARNING: ironic-multiarch doctor found problems (see above)"
    fi
}

function cleanup_ironic_multiarch {
    # The loader directories the conductor placed ([multiarch]loader_dir).
    local dir
    for dir in ${IRONIC_TFTPBOOT_DIR:-} ${IRONIC_HTTP_DIR:-}; do
        rm -rf "$dir/multiarch"
    done
}

if is_service_enabled ir-cond; then
    case $1/${2:-} in
        stack/install)
            echo_summary "Installing ironic-multiarch"
            install_ironic_multiarch
            ;;
        stack/post-config)
            echo_summary "Configuring ironic-multiarch"
            configure_ironic_multiarch
            ;;
        stack/extra)
            echo_summary "Checking ironic-multiarch"
            check_ironic_multiarch
            ;;
        unstack/*)
            # No service of its own to stop: Ironic stops the conductor.
            ;;
        clean/*)
            cleanup_ironic_multiarch
            ;;
    esac
fi
