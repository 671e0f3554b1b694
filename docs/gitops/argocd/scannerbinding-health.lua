-- Argo CD health check for mipo.io/ScannerBinding.
-- Install as resource.customizations.health.mipo.io_ScannerBinding (see docs/gitops.md).
-- Written for Argo CD's embedded Lua 5.1 without useOpenLibs: only the base and table libraries
-- (no string or math library, no methods on strings). Tested with lua5.4 in that sandbox by
-- ArgoCdHealthTest.
--   Healthy     the binding is in force: bound, waiting to learn the address (trust on first use),
--               or mode none; mismatching connections are counted in the message
--   Progressing the operator has not yet reported this generation
--   Degraded    invalid spec, no Scanner of the same name, or no usable AS database for mode asn
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

local ready = condition("Ready")
if obj.status == nil or ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report the binding's status"
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
  hs.message = "Invalid spec (" .. text(valid.reason, "Invalid") .. "): " .. text(valid.message, "see the Valid condition")
  return hs
end

if ready.status ~= "True" then
  hs.status = "Degraded"
  hs.message = text(ready.message, "Not ready: " .. text(ready.reason, "unknown reason"))
  return hs
end

hs.status = "Healthy"
hs.message = text(ready.message, "The binding is in force")
local mismatches = tonumber(obj.status.mismatchCount)
if mismatches ~= nil and mismatches > 0 then
  local enforcement = (obj.spec and obj.spec.enforcement) or "Enforce"
  local verb = enforcement == "Audit" and "accepted and counted" or "refused"
  hs.message = hs.message .. " " .. mismatches .. " connection(s) from other addresses were " .. verb
  if obj.status.lastMismatch ~= nil and obj.status.lastMismatch.address ~= nil then
    hs.message = hs.message .. ", the last from " .. obj.status.lastMismatch.address
        .. " at " .. text(obj.status.lastMismatch.time, "an unknown time")
  end
  hs.message = hs.message .. "."
end
return hs
