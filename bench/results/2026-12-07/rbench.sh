#!/bin/bash
# rbench.sh start|stop NAME PORT [erl args]: a private RabbitMQ node for benchmarks
cmd=$1; name=$2; port=$3; shift 3
dir=/tmp/rbench-$name
export RABBITMQ_NODENAME=$name@localhost RABBITMQ_DIST_PORT=$((port+20000)) RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log \
  RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf RABBITMQ_PID_FILE=$dir/rabbit.pid
if [ "$cmd" = start ]; then
  rm -rf $dir; mkdir -p $dir/mnesia $dir/log
  echo "[rabbitmq_management]." > $dir/enabled_plugins
  printf "listeners.tcp.default = 127.0.0.1:$port\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = $((port+10000))\nloopback_users = none\n" > $dir/rabbitmq.conf
  chown -R rabbitmq:rabbitmq $dir
  [ -n "$*" ] && export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$*"
  rabbitmq-server -detached
  rabbitmqctl -n $RABBITMQ_NODENAME await_startup --timeout 120
else
  rabbitmqctl -n $RABBITMQ_NODENAME stop
fi
