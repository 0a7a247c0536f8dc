#include "student_edition.hpp"
#include "i18n.hpp"

#include "student_files.hpp"
#include "tree_ops.hpp"

#include <algorithm>
#include <set>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace kubik::course {

namespace {

bool is_within(const fs::path& inner, const fs::path& outer) {
    const auto rel = inner.lexically_relative(outer);
    return !rel.empty() && *rel.begin() != "..";
}

std::size_t count_files(const fs::path& root) {
    std::size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (entry.is_regular_file() || entry.is_symlink()) ++files;
    }
    return files;
}

std::string files_of(const Lesson& lesson) {
    std::vector<std::string> files;
    for (const auto& function : lesson.functions) {
        if (std::find(files.begin(), files.end(), function.file) == files.end()) files.push_back(function.file);
    }
    std::string text;
    for (const auto& file : files) text += (text.empty() ? "" : ", ") + ("`" + file + "`");
    return text;
}

std::string lesson_table(const std::vector<Lesson>& lessons, Language language) {
    std::ostringstream out;
    if (language == Language::ru) {
        out << "| № | урок | баллы | что писать (в `exercises/NN-тема/`) |\n|---|---|---|---|\n";
    } else {
        out << "| # | lesson | points | what you write (in `exercises/NN-topic/`) |\n|---|---|---|---|\n";
    }
    for (const auto& lesson : lessons) {
        const auto text = language == Language::ru ? "/README.ru.md" : "/README.md";
        out << "| " << lesson.number << " | [" << lesson.title.in(language) << "](lessons/" << lesson.id << text
            << ") | " << lesson.points << " | " << files_of(lesson) << " |\n";
    }
    return out.str();
}

} // namespace

bool excluded_from_student_edition(const fs::path& course, const fs::path& relative, bool is_directory) {
    if (left_out_of_course_copies(course, relative, is_directory)) return true;
    // .ci/ runs the instructor's scripts/test-all.sh; these scripts compare
    // exercises/ with solutions/, grade solutions/ or put bugs into them.
    static const std::set<fs::path> instructor_only{".ci", "scripts/check-tracks.sh", "scripts/test-all.sh",
                                                    "scripts/grade-selftest.sh", "scripts/mutation-check"};
    if (instructor_only.contains(relative)) return true;
    // A lesson's mutation catalogue quotes lines of its solution.
    return !is_directory && relative.filename() == "mutants.json" && relative.parent_path().parent_path() == "lessons";
}

std::string student_readme(const std::vector<Lesson>& lessons, Language language, bool has_vagrantfile) {
    int total = 0;
    for (const auto& lesson : lessons) total += lesson.points;
    std::ostringstream out;
    if (language == Language::ru) {
        out << R"(# Kubik — издание для студентов

*[English version](README.md)*

Kubik (*кубик*) — это курс, в котором вы пишете маленький Docker на C++, по одной
возможности за урок. В конце у вас — `kubik`, настоящий рантайм контейнеров с командами,
флагами и кодами выхода docker. Каждый урок дополняет ту же программу, и она работает
после каждого из них.

## Подготовка

Контейнеры — это процессы Linux: нужны ядро Linux и root.
)";
        if (has_vagrantfile) {
            out << R"(
- **macOS, Windows или не хочется запускать код уроков от root на своей машине:**
  виртуальная машина из `Vagrantfile` (`vagrant up`, затем `vagrant ssh`); подробности —
  в [docs/vagrant.ru.md](docs/vagrant.ru.md). Всё остальное делается внутри неё.
)";
        }
        out << R"(- **Debian 12 (или Ubuntu) с root:** установите зависимости и соберите свою версию рантайма:

```
sudo scripts/install-deps.sh
cmake --preset student
cmake --build --preset student
```

Сборка кладёт в `build-student/` ваш `kubik` и `kubik-course` — помощника по курсу.

## Как работать

1. Прочитайте текст урока: `lessons/NN-тема/README.ru.md` (по-английски — `README.md`).
2. Пишите код в `exercises/NN-тема/`: каждое место, которое нужно написать, помечено `TODO`
   и пока бросает «not implemented yet». **Оцениваются только файлы в `exercises/`**;
   изменения в `tests/`, `src/` и `lessons/` проверка не видит.
3. Проверьте урок — программа скажет словами, какая проверка не прошла, что ожидалось,
   что получилось, и даст подсказки:

   ```
   sudo build-student/kubik-course check        # все уроки по порядку
   sudo build-student/kubik-course check 1      # уроки 0–1
   ```

4. Или оставьте наблюдателя: он пересобирает и проверяет текущий урок при каждом
   сохранении файла в `exercises/` (Ctrl-C — выход):

   ```
   sudo build-student/kubik-course watch
   ```

5. Где вы сейчас — какие уроки готовы, какие начаты, что дальше:

   ```
   sudo build-student/kubik-course status
   ```

Подсказки и названия — по-русски: `--lang ru` или `export KUBIK_LANG=ru`.

## Уроки

)";
        out << lesson_table(lessons, language);
        out << "\nВсего " << total << R"( баллов.

## Оценка

Урок N засчитывается, только когда уроки 0…N−1 проходят полностью: рантайм строится
слоями, и следующий урок опирается на предыдущие. Внутри засчитанного урока баллы
делятся между его проверками.

Каждый `git push` запускает `.github/workflows/grade.yml`: GitHub Actions собирает курс
и запускает проверку, а баллы появляются на странице запуска (Actions → grade →
Summary). Это подсказка для вас; итоговую оценку ставит преподаватель своей копией
тестов. То же самое локально:

```
sudo build-student/kubik-course grade . --format md
```
)";
        return out.str();
    }

    out << R"(# Kubik — student edition

*[Русская версия](README.ru.md)*

Kubik (Russian *кубик*, "building block") is a course in which you build a small Docker
in C++, one capability per lesson. What you end up with is `kubik`, a real container
runtime with docker's commands, flags and exit codes. Each lesson adds to the same
program, and it works after every one of them.

## Setting up

Containers are Linux processes: you need a Linux kernel and root.
)";
    if (has_vagrantfile) {
        out << R"(
- **macOS, Windows, or you'd rather not run lesson code as root on your machine:** use the
  VM from the `Vagrantfile` (`vagrant up`, then `vagrant ssh`); see
  [docs/vagrant.md](docs/vagrant.md). Everything below happens inside it.
)";
    }
    out << R"(- **Debian 12 (or Ubuntu) with root:** install the dependencies and build your runtime:

```
sudo scripts/install-deps.sh
cmake --preset student
cmake --build --preset student
```

The build puts your `kubik` and `kubik-course`, the course helper, into `build-student/`.

## How to work

1. Read the lesson: `lessons/NN-topic/README.md` (in Russian: `README.ru.md`).
2. Write the code in `exercises/NN-topic/`: every place you write is marked `TODO` and
   throws "not implemented yet" until you do. **Only the files in `exercises/` are
   graded**; changes to `tests/`, `src/` or `lessons/` are not seen by the grader.
3. Check the lesson. The tool says in words which check failed, what was expected, what
   happened, and gives the lesson's hints:

   ```
   sudo build-student/kubik-course check        # every lesson, in order
   sudo build-student/kubik-course check 1      # lessons 0-1
   ```

4. Or leave the watcher running: it rebuilds and checks the current lesson every time you
   save a file in `exercises/` (Ctrl-C to stop):

   ```
   sudo build-student/kubik-course watch
   ```

5. See where you are — which lessons are done, which are started, what's next:

   ```
   sudo build-student/kubik-course status
   ```

## Lessons

)";
    out << lesson_table(lessons, language);
    out << "\n" << total << R"( points in all.

## Grading

Lesson N counts only when lessons 0…N−1 pass completely: the runtime is built in layers
and each lesson stands on the ones before it. Within a lesson that counts, its points
are shared among its checks.

Every `git push` runs `.github/workflows/grade.yml`: GitHub Actions builds the course and
runs the grader, and the points appear on the run's page (Actions → grade → Summary).
That is feedback for you; the grade that counts is the one your instructor gets with
their own copy of the tests. The same, on your machine:

```
sudo build-student/kubik-course grade . --format md
```
)";
    return out.str();
}

std::string grade_workflow() {
    return R"(# Grades this repository on every push: builds the course tool, runs the
# grader as root (the lessons' checks create namespaces and mounts) and shows
# the points on the run's summary page (Actions -> grade -> Summary).
name: grade

on:
  push:
  workflow_dispatch:

jobs:
  grade:
    runs-on: ubuntu-latest
    timeout-minutes: 90
    steps:
      - uses: actions/checkout@v4

      - name: Install dependencies
        run: sudo scripts/install-deps.sh

      - name: Build the course tool
        run: |
          cmake --preset student
          cmake --build --preset student --target kubik-course

      - name: Grade
        run: |
          sudo build-student/kubik-course grade . --format md --out grade.md
          cat grade.md >> "$GITHUB_STEP_SUMMARY"
          cat grade.md

      - name: Keep the report
        if: always()
        uses: actions/upload-artifact@v4
        with:
          name: grade
          path: grade.md
          if-no-files-found: ignore
)";
}

ExportSummary export_student_edition(const fs::path& course_dir, const fs::path& target_dir, bool force) {
    const auto course = fs::canonical(course_dir);
    const auto target = fs::weakly_canonical(fs::absolute(target_dir));
    if (target == course || is_within(target, course) || is_within(course, target)) {
        throw std::runtime_error(
            formatted(_("the student edition must go outside the course (and not around it): %s"), target.c_str()));
    }
    const auto lessons = load_lessons(course / "lessons");
    const auto exercises = pristine_exercises(course);

    std::error_code ec;
    if (fs::exists(target, ec)) {
        if (!fs::is_directory(target)) throw std::runtime_error(formatted(_("%s exists and is not a folder"), target.c_str()));
        std::vector<fs::path> entries;
        for (const auto& entry : fs::directory_iterator(target)) entries.push_back(entry.path());
        if (!entries.empty() && !force) {
            throw std::runtime_error(formatted(
                _("%s is not empty; add --force to replace its contents (a .git folder in it is kept)"), target.c_str()));
        }
        for (const auto& entry : entries) {
            if (entry.filename() == ".git") continue;
            const auto failures = remove_tree(entry);
            if (!failures.empty()) throw std::runtime_error(formatted(_("cannot clear %s"), failures.front().c_str()));
        }
    }
    fs::create_directories(target);

    copy_tree(course, target, [&course](const fs::path& relative, bool is_directory) {
        return !excluded_from_student_edition(course, relative, is_directory);
    });
    ExportSummary summary;
    for (const auto& file : exercises) {
        const auto path = target / "exercises" / file.relative;
        write_file(path, file.content);
        fs::permissions(path, file.permissions);
        ++summary.exercises;
    }
    const bool vagrant = fs::exists(course / "Vagrantfile");
    write_file(target / "README.md", student_readme(lessons, Language::en, vagrant));
    write_file(target / "README.ru.md", student_readme(lessons, Language::ru, vagrant));
    write_file(target / ".github" / "workflows" / "grade.yml", grade_workflow());

    if (fs::exists(target / "solutions")) throw std::logic_error("solutions/ ended up in the student edition");
    summary.files = count_files(target) - (fs::exists(target / ".git") ? count_files(target / ".git") : 0);
    return summary;
}

} // namespace kubik::course
