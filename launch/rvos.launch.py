"""Start rvos_node: ``ros2 launch rvos_ros rvos.launch.py image_topic:=/camera/image_raw``.

Arguments: ``image_topic`` (what the node's ``image`` input is remapped to;
``image/compressed`` follows it), ``config_file`` (YAML whose values are the
node's parameter defaults), ``namespace`` and ``use_sim_time`` (true for bag
replay).
"""

# ruff takes `launch` for this repository's launch/ folder; these are the ROS packages, in the usual order.
from launch import LaunchDescription  # noqa: I001
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.parameter_descriptions import ParameterValue
from launch_ros.substitutions import FindPackageShare


def generate_launch_description() -> LaunchDescription:
    image_topic = LaunchConfiguration("image_topic")
    return LaunchDescription([
        DeclareLaunchArgument("image_topic", default_value="image",
                              description="Camera topic (sensor_msgs/Image) the node's `image` input reads."),
        DeclareLaunchArgument("config_file",
                              default_value=PathJoinSubstitution([FindPackageShare("rvos_ros"), "config", "rvos.yaml"]),
                              description="YAML config; its values are the defaults of the node's parameters."),
        DeclareLaunchArgument("namespace", default_value="", description="Namespace of the node and its topics."),
        DeclareLaunchArgument("use_sim_time", default_value="false",
                              description="Use /clock (true when replaying a bag with --clock)."),
        Node(
            package="rvos_ros",
            executable="rvos_node",
            name="rvos",
            namespace=LaunchConfiguration("namespace"),
            output="screen",
            emulate_tty=True,
            parameters=[{
                # Typed explicitly: launch would otherwise YAML-parse the strings ("" would become None).
                "config_file": ParameterValue(LaunchConfiguration("config_file"), value_type=str),
                "use_sim_time": ParameterValue(LaunchConfiguration("use_sim_time"), value_type=bool),
            }],
            remappings=[("image", image_topic), ("image/compressed", [image_topic, "/compressed"])],
        ),
    ])
