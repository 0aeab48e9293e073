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

# A stand-in for the devstack functions the plugin calls. iniset/iniget
# edit real ini files (through ini.py); the others record their call in
# $FAKE_DEVSTACK_LOG, one line each.

_FAKE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FAKE_PYTHON=${FAKE_PYTHON:-python3}

function _fake_record {
    echo "$*" >> "$FAKE_DEVSTACK_LOG"
}

function iniset {
    [[ $1 == -sudo ]] && shift
    "$FAKE_PYTHON" "$_FAKE_DIR/ini.py" set "$1" "$2" "$3" "$4"
}

function iniget {
    "$FAKE_PYTHON" "$_FAKE_DIR/ini.py" get "$1" "$2" "$3"
}

# Like devstack: true if any of the names is in ENABLED_SERVICES.
function is_service_enabled {
    local name
    for name in "$@"; do
        [[ ,${ENABLED_SERVICES:-}, == *,$name,* ]] && return 0
    done
    return 1
}

function is_ubuntu {
    [[ ${FAKE_IS_UBUNTU:-True} == True ]]
}

function echo_summary { echo "$@"; }
function install_package { _fake_record install_package "$@"; }
function setup_develop { _fake_record setup_develop "$@"; }
function pip_install { _fake_record pip_install "$@"; }
