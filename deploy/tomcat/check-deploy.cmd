@echo off
rem Runs check-deploy.sh (same arguments) with the bash of Git for Windows or WSL; see that script.
rem Not run by the build on Windows (TomcatDeployScriptIT is skipped there).
where bash >nul 2>nul || (echo check-deploy: needs bash on PATH ^(Git for Windows or WSL^) & exit /b 2)
bash "%~dp0check-deploy.sh" %*
