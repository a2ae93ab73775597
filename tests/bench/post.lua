-- wrk: POST the job input in $BODY (with every "%d" replaced by a request
-- counter, so inputs differ) to the URL given to wrk.
local counter = 0
local template = os.getenv("BODY")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  return wrk.format(nil, nil, nil, (template:gsub("%%d", tostring(counter))))
end
