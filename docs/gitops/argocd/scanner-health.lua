-- Argo CD health check for mipo.io/Scanner.
-- Install as resource.customizations.health.mipo.io_Scanner (see docs/gitops.md).
-- Written for Argo CD's embedded Lua 5.1 without useOpenLibs: only the base and table libraries
-- (no string or math library, no methods on strings). Tested with lua5.4 in that sandbox by
-- ArgoCdHealthTest.
--   Healthy     the agent heartbeats (every agent pod of a DaemonSet scanner)
--   Suspended   disabled on purpose, or waiting for someone to run the install command
--   Progressing the operator has not yet reported this generation; DaemonSet pods still registering
--   Degraded    invalid spec, agent Offline, pods Offline, or the provisioning token expired unused
local hs = {}

local function condition(kind)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function text(value, fallback)
  if value == nil or value == "" then
    return fallback
  end
  return value
end

local function generationSeen()
  local generation = tonumber(obj.metadata and obj.metadata.generation)
  local observed = tonumber(obj.status.observedGeneration)
  return generation == nil or (observed ~= nil and observed >= generation)
end

if obj.status == nil or obj.status.phase == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the scanner's status"
  return hs
end
if not generationSeen() then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end

local valid = condition("Valid")
local stalled = condition("Stalled")
if (valid ~= nil and valid.status == "False") or (stalled ~= nil and stalled.status == "True") then
  local why = valid ~= nil and valid.status == "False" and valid or stalled
  hs.status = "Degraded"
  hs.message = "Invalid spec (" .. text(why.reason, "Invalid") .. "): " .. text(why.message, "see the Valid condition")
  return hs
end

local phase = obj.status.phase
local daemonSet = obj.spec ~= nil and obj.spec.deployment ~= nil and obj.spec.deployment.mode == "DaemonSet"

if phase == "Disabled" then
  hs.status = "Suspended"
  hs.message = "Disabled on purpose (spec.disabled): the scanner takes no new work"
  return hs
end

if phase == "Active" then
  local instances = obj.status.instances
  if daemonSet and instances ~= nil then
    local active, offline, total = 0, 0, 0
    for _, i in ipairs(instances) do
      total = total + 1
      if i.phase == "Active" then
        active = active + 1
      elseif i.phase == "Offline" then
        offline = offline + 1
      end
    end
    local counts = active .. " of " .. total .. " agent pods heartbeating"
    if offline > 0 then
      hs.status = "Degraded"
      hs.message = counts .. "; " .. offline .. " missed their heartbeats"
    elseif active < total then
      hs.status = "Progressing"
      hs.message = counts .. "; the others have not registered yet"
    else
      hs.status = "Healthy"
      hs.message = counts
    end
    return hs
  end
  local agent = obj.status.agent or {}
  hs.status = "Healthy"
  hs.message = "Agent heartbeating"
  if agent.version ~= nil then
    hs.message = hs.message .. " (version " .. agent.version .. (agent.hostname and (" on " .. agent.hostname) or "") .. ")"
  end
  return hs
end

if phase == "Offline" then
  hs.status = "Degraded"
  hs.message = "The agent missed its heartbeats; last heartbeat " .. text(obj.status.lastHeartbeatTime, "unknown")
      .. " (it may still be running: check the host or its network path to the operator)"
  return hs
end

if phase == "Pending" then
  if daemonSet then
    hs.status = "Progressing"
    local registered = condition("Registered")
    hs.message = "Waiting for the agent pods to register"
    if registered ~= nil and registered.message ~= nil then
      hs.message = hs.message .. ": " .. registered.message
    end
    return hs
  end
  local token = obj.status.token
  local spent = { Expired = "expired", Revoked = "revoked" }
  if token ~= nil and spent[token.state] ~= nil then
    hs.status = "Degraded"
    hs.message = "The provisioning token is " .. spent[token.state]
        .. " and no agent registered: regenerate the token and run the new install command"
    return hs
  end
  hs.status = "Suspended"
  hs.message = "Waiting for someone to run the install command on the host"
  if token ~= nil and token.expiresAt ~= nil then
    hs.message = hs.message .. " (token valid until " .. token.expiresAt .. ")"
  end
  return hs
end

hs.status = "Progressing"
hs.message = "Unknown phase " .. tostring(phase)
return hs
