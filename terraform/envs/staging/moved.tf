# The modules this root called itself until modules/switchboard took them over: their state moves
# with them, so an existing environment's plan changes no resource. Keep these until every state
# of this environment has been applied with them (removing one later is harmless then).

moved {
  from = module.network
  to   = module.switchboard.module.network
}

moved {
  from = module.cluster
  to   = module.switchboard.module.cluster
}

moved {
  from = module.redis
  to   = module.switchboard.module.redis
}

moved {
  from = module.kafka
  to   = module.switchboard.module.kafka
}

moved {
  from = module.ecr
  to   = module.switchboard.module.ecr
}

moved {
  from = module.iam
  to   = module.switchboard.module.iam
}
