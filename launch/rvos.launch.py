"""Start rvos_node: ``ros2 launch rvos_ros rvos.launch.py image_topic:=/camera/image_raw``.

Arguments (``ros2 launch rvos_ros rvos.launch.py --show-args`` lists them):

- ``image_topic``: what the node's ``image`` input is remapped to; with
  ``compressed:=true`` the node reads ``<image_topic>/compressed``
  (``sensor_msgs/CompressedImage``) instead, remapped the same way;
- ``command_topic``: where commands (``std_msgs/String``) come from;
- ``backend``: ``models`` (detector + SAM2) or ``simulated`` (the ground-truth
  oracle, for synthetic and annotated bags only); empty keeps the config's;
- ``preset``: ``rvos`` (the packaged defaults), ``orin`` or ``rtx``: the
  config file ``config/<preset>.yaml`` of this package; ``config_file`` names
  any other YAML instead;
- ``params_file``: a ROS parameters file applied after the config (its values win);
- ``node_name`` (two cameras = two nodes with two names), ``namespace``,
  ``log_level`` and ``use_sim_time`` (true when replaying a bag with ``--clock``).
"""

# ruff takes `launch` for this repository's launch/ folder; these are the ROS packages, in the usual order.
from launch import LaunchDescription  # noqa: I001
from launch.actions import DeclareLaunchArgument, OpaqueFunction
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import FindPackageShare

ARGUMENTS = (
    ("image_topic", "image", "Camera topic the node's `image` input reads (`<image_topic>/compressed` when "
                             "compressed:=true)."),
    ("compressed", "false", "Read sensor_msgs/CompressedImage (jpeg/png) on <image_topic>/compressed."),
    ("command_topic", "command", "Topic the commands (std_msgs/String) come on."),
    ("backend", "", "Perception backend: models | simulated (ground-truth oracle); empty: the config's."),
    ("preset", "rvos", "Packaged config: rvos (defaults) | orin | rtx (config/<preset>.yaml)."),
    ("config_file", "", "YAML config whose values are the node's parameter defaults; empty: the preset's."),
    ("params_file", "", "ROS parameters file applied after the config; empty: none."),
    ("node_name", "rvos", "Node name (run one node per camera, each with its own name)."),
    ("namespace", "", "Namespace of the node and its topics."),
    ("log_level", "info", "Logging level: debug | info | warn | error."),
    ("use_sim_time", "false", "Use /clock (true when replaying a bag with --clock)."),
)


def _node(context, *_args, **_kwargs):
    """The node, built once the arguments are known (an empty argument adds nothing)."""
    arg = {name: LaunchConfiguration(name).perform(context) for name, _, _ in ARGUMENTS}
    config_file = arg["config_file"] or PathJoinSubstitution(
        [FindPackageShare("rvos_ros"), "config", arg["preset"] + ".yaml"]).perform(context)
    parameters = [{
        # Typed explicitly: launch would otherwise YAML-parse the strings ("" would become None).
        "config_file": ParameterValue(config_file, value_type=str),
        "compressed": ParameterValue(arg["compressed"], value_type=bool),
        "use_sim_time": ParameterValue(arg["use_sim_time"], value_type=bool),
    }]
    if arg["backend"]:
        parameters.append({"perception.backend": ParameterValue(arg["backend"], value_type=str)})
    if arg["params_file"]:
        parameters.append(arg["params_file"])
    image = arg["image_topic"]
    return [Node(
        package="rvos_ros",
        executable="rvos_node",
        name=arg["node_name"],
        namespace=arg["namespace"],
        output="screen",
        emulate_tty=True,
        parameters=parameters,
        arguments=["--ros-args", "--log-level", arg["log_level"]],
        remappings=[("image", image), ("image/compressed", image.rstrip("/") + "/compressed"),
                    ("command", arg["command_topic"])],
    )]


def generate_launch_description() -> LaunchDescription:
    return LaunchDescription([
        *(DeclareLaunchArgument(name, default_value=default, description=text) for name, default, text in ARGUMENTS),
        OpaqueFunction(function=_node),
    ])
