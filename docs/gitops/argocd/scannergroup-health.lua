-- Argo CD health check for mipo.io/ScannerGroup.
-- Install as resource.customizations.health.mipo.io_ScannerGroup (see docs/gitops.md).
-- Written for Argo CD's embedded Lua 5.1 without useOpenLibs: only the base and table libraries
-- (no string or math library, no methods on strings). Tested with lua5.4 in that sandbox by
-- ArgoCdHealthTest.
--   Healthy     at least one enabled member is Active (the message counts the others)
--   Suspended   nothing scans the targets on purpose: no member matches, or every member is disabled
--   Progressing the operator has not yet reported this generation; no enabled member is Active yet
--   Degraded    invalid spec
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

local function count(value)
  return tonumber(value) or 0
end

if obj.status == nil or condition("Ready") == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the group's status"
  return hs
end
local generation = tonumber(obj.metadata and obj.metadata.generation)
local observed = tonumber(obj.status.observedGeneration)
if generation ~= nil and (observed == nil or observed < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe the latest spec"
  return hs
end

local valid = condition("Valid")
if valid ~= nil and valid.status == "False" then
  hs.status = "Degraded"
  hs.message = "Invalid spec (" .. (valid.reason or "Invalid") .. "): " .. (valid.message or "see the Valid condition")
  return hs
end

local members = count(obj.status.memberCount)
local enabled = count(obj.status.enabledMembers)
local active = count(obj.status.activeMembers)
local function n(value)
  return tostring(value)
end

if members == 0 then
  hs.status = "Suspended"
  hs.message = "The selector matches no Scanner: nothing scans this group's targets"
elseif enabled == 0 then
  hs.status = "Suspended"
  hs.message = "All " .. n(members) .. " members are disabled: nothing scans this group's targets"
elseif active == 0 then
  hs.status = "Progressing"
  hs.message = "None of the " .. n(enabled) .. " enabled members is Active yet (Pending or Offline)"
else
  hs.status = "Healthy"
  hs.message = n(active) .. " of " .. n(enabled) .. " enabled members Active (" .. n(members) .. " members)"
end
return hs
