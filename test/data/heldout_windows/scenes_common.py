"""The command families robot users say most: one hand-written scene per command."""

from __future__ import annotations

from scene_spec import Case, T, line, still, via


def cases() -> list[Case]:
    """First batch: the command families robot users say most, one scene each."""
    c: list[Case] = []
    add = c.append

    # --- category alone -------------------------------------------------------------------------
    add(Case("category", "the cat", [T("cat", still(320, 300)), T("dog", line(100, 200, 300, 220)),
                                     T("dog", still(520, 380))], [0]))
    add(Case("category", "the horse", [T("horse", line(150, 300, 400, 300)), T("cow", still(480, 260)),
                                       T("person", still(200, 150))], [0]))
    add(Case("category", "find the bicycle", [T("person", line(100, 250, 300, 250)), T("bicycle", still(450, 350)),
                                               T("car", still(300, 120))], [1]))
    add(Case("category", "the person", [T("car", line(500, 200, 200, 200)), T("dog", still(150, 380)),
                                        T("person", still(420, 330))], [2]))
    add(Case("category", "segment the truck", [T("car", still(150, 300)), T("truck", still(450, 280)),
                                                T("person", line(300, 400, 320, 150))], [1]))
    add(Case("category", "please track the bird", [T("dog", still(200, 380)), T("bird", line(100, 100, 500, 80)),
                                                    T("cat", still(450, 380))], [1]))
    add(Case("category", "the sheep", [T("dog", line(100, 350, 300, 350)), T("sheep", still(460, 300)),
                                       T("person", still(300, 150))], [1]))
    add(Case("category", "the bottle", [T("cup", still(200, 300)), T("bottle", still(320, 280)),
                                        T("cup", still(450, 300)), T("bird", still(320, 80))], [1]))

    # --- synonyms -------------------------------------------------------------------------------
    add(Case("synonym", "the puppy", [T("dog", line(150, 320, 350, 330)), T("cat", still(480, 300)),
                                      T("person", still(300, 150))], [0]))
    add(Case("synonym", "grab the mug", [T("bottle", still(200, 300)), T("cup", still(330, 310)),
                                         T("bowl", still(470, 320), size=(90, 40))], [1]))
    add(Case("synonym", "the kitten", [T("dog", still(150, 300)), T("cat", line(350, 350, 500, 340))], [1]))
    add(Case("synonym", "the man", [T("dog", line(100, 380, 300, 380)), T("person", still(400, 250)),
                                    T("car", still(200, 150))], [1]))
    add(Case("synonym", "the motorbike", [T("car", still(200, 300)), T("motorcycle", line(350, 320, 550, 320)),
                                          T("person", still(100, 150))], [1]))
    add(Case("synonym", "the bike", [T("bicycle", still(420, 330)), T("car", line(100, 200, 300, 200)),
                                     T("person", still(550, 150))], [0]))
    add(Case("synonym", "the automobile", [T("person", still(150, 300)), T("car", still(400, 320)),
                                           T("dog", still(300, 400))], [1]))
    add(Case("synonym", "the sofa", [T("chair", still(120, 320)), T("couch", still(400, 330)),
                                     T("cat", still(300, 150))], [1]))
    add(Case("synonym", "the guy", [T("person", line(200, 250, 400, 250)), T("horse", still(520, 300)),
                                    T("dog", still(120, 380))], [0]))
    add(Case("synonym", "the doggy", [T("cat", still(150, 350)), T("dog", still(450, 350)),
                                      T("bird", line(200, 100, 400, 90))], [1]))

    # --- plurals / several of a category --------------------------------------------------------
    add(Case("plural", "all the cars", [T("car", still(150, 200)), T("car", line(300, 300, 500, 300)),
                                        T("car", still(500, 130)), T("person", still(100, 380)),
                                        T("dog", still(330, 410))], [0, 1, 2]))
    add(Case("plural", "both kids", [T("person", line(120, 300, 250, 300)), T("dog", still(380, 380)),
                                     T("person", still(500, 280))], [0, 2]))
    add(Case("plural", "both dogs", [T("dog", still(150, 300)), T("cat", still(320, 300)),
                                     T("dog", line(450, 350, 550, 380))], [0, 2]))
    add(Case("plural", "the birds", [T("bird", line(100, 100, 300, 80)), T("bird", still(450, 120)),
                                     T("cat", still(300, 380)), T("person", still(500, 330))], [0, 1]))
    add(Case("plural", "the two horses", [T("horse", still(150, 300)), T("horse", line(350, 320, 500, 320)),
                                          T("person", still(320, 120))], [0, 1]))
    add(Case("plural", "all the people", [T("person", still(100, 250)), T("person", line(250, 260, 350, 260)),
                                          T("person", still(520, 240)), T("car", still(330, 400))], [0, 1, 2]))

    # --- motion direction -----------------------------------------------------------------------
    add(Case("direction", "the dog going left", [T("dog", line(450, 300, 150, 300)), T("dog", line(150, 380, 450, 380)),
                                                 T("cat", line(500, 150, 250, 150))], [0]))
    add(Case("direction", "the person walking toward the right side",
             [T("person", line(150, 250, 450, 250)), T("person", line(500, 260, 200, 260)),
              T("person", still(320, 350))], [0]))
    add(Case("direction", "the car heading up the image", [T("car", line(200, 400, 200, 120)),
                                                           T("car", line(450, 100, 450, 380)),
                                                           T("car", line(150, 250, 450, 250))], [0]))
    add(Case("direction", "the ball rolling from right to left", [T("ball", line(150, 350, 500, 350)),
                                                                  T("ball", line(520, 200, 120, 220))], [1]))
    add(Case("direction", "the bird flying upward", [T("bird", line(300, 400, 320, 100)),
                                                     T("bird", line(100, 150, 500, 150)),
                                                     T("bird", still(500, 350))], [0]))
    add(Case("direction", "the car moving down", [T("car", line(150, 100, 160, 380)),
                                                  T("car", line(450, 380, 450, 100))], [0]))
    add(Case("direction", "the dog running to the right", [T("dog", line(500, 350, 150, 350)),
                                                           T("dog", line(120, 200, 480, 220)),
                                                           T("dog", line(320, 420, 320, 300))], [1]))
    add(Case("direction", "the horse that moves towards the left",
             [T("horse", line(150, 250, 450, 250)), T("horse", line(480, 380, 180, 370))], [1]))
    add(Case("direction", "the car driving from left to right", [T("car", line(480, 150, 150, 150)),
                                                                 T("car", line(130, 330, 500, 330)),
                                                                 T("car", still(320, 420))], [1]))
    add(Case("direction", "the cat walking leftwards", [T("cat", line(200, 300, 500, 300)),
                                                        T("cat", line(480, 400, 180, 400)),
                                                        T("dog", line(500, 150, 150, 150))], [1]))
    add(Case("direction", "the person coming down the image", [T("person", line(300, 120, 300, 380)),
                                                               T("person", line(150, 300, 450, 300)),
                                                               T("person", line(520, 380, 520, 120))], [0]))
    add(Case("direction", "the ball that goes up", [T("ball", line(200, 120, 200, 400)),
                                                    T("ball", line(450, 420, 450, 100))], [1]))
    add(Case("direction", "the sheep moving to the left side of the frame",
             [T("sheep", line(500, 300, 150, 310)), T("sheep", still(250, 150)),
              T("sheep", line(120, 400, 400, 400))], [0]))
    add(Case("direction", "the bicycle going right", [T("bicycle", line(500, 200, 200, 200)),
                                                      T("bicycle", line(130, 350, 480, 350))], [1]))
    add(Case("direction", "the duck swimming to the left", [T("duck", line(180, 300, 480, 300)),
                                                            T("duck", line(480, 200, 180, 200)),
                                                            T("duck", still(320, 400))], [1]))
    add(Case("direction", "the person walking up", [T("person", line(200, 400, 200, 150)),
                                                    T("person", line(450, 150, 450, 380))], [0]))

    # --- static vs moving -----------------------------------------------------------------------
    add(Case("static", "the parked car", [T("car", line(100, 150, 450, 150)), T("car", still(300, 350)),
                                          T("car", line(550, 250, 200, 260))], [1]))
    add(Case("static", "the bike that isn't moving", [T("bicycle", line(120, 300, 450, 300)),
                                                      T("bicycle", still(480, 150))], [1]))
    add(Case("static", "the moving one", [T("dog", still(150, 300)), T("dog", still(480, 300)),
                                          T("dog", line(200, 150, 450, 170))], [2]))
    add(Case("static", "the stationary person", [T("person", line(100, 250, 350, 250)), T("person", still(500, 260)),
                                                 T("person", line(400, 350, 200, 350))], [1]))
    add(Case("static", "the dog standing still", [T("dog", still(200, 350)), T("dog", line(500, 200, 150, 200))], [0]))
    add(Case("static", "the cup that stays put", [T("cup", line(150, 300, 400, 200)), T("cup", still(480, 320))], [1]))
    add(Case("static", "the moving car", [T("car", still(150, 150)), T("car", line(120, 330, 480, 330)),
                                          T("car", still(480, 150))], [1]))
    add(Case("static", "the dog that does not move", [T("dog", line(100, 250, 500, 250)), T("dog", still(320, 400)),
                                                      T("dog", line(500, 120, 150, 130))], [1]))
    add(Case("static", "the person who is walking", [T("person", still(120, 260)),
             T("person", line(250, 280, 500, 280)),
                                                     T("person", still(560, 250))], [1]))

    # --- speed ----------------------------------------------------------------------------------
    add(Case("speed", "the quickest runner", [T("person", line(100, 300, 200, 300)),
             T("person", line(100, 200, 550, 200)),
                                              T("person", line(500, 400, 280, 400))], [1]))
    add(Case("speed", "the slower of the two dogs", [T("dog", line(100, 250, 500, 250)),
                                                     T("dog", line(200, 380, 330, 380))], [1]))
    add(Case("speed", "the fastest car", [T("car", line(100, 120, 250, 120)), T("car", line(550, 250, 100, 250)),
                                          T("car", line(200, 380, 400, 380))], [1]))
    add(Case("speed", "the slowest horse", [T("horse", line(100, 150, 520, 150)), T("horse", line(200, 330, 300, 330)),
                                            T("horse", line(520, 400, 150, 400))], [1]))
    add(Case("speed", "the dog running faster", [T("dog", line(150, 200, 250, 200)),
                                                 T("dog", line(100, 350, 520, 350))], [1]))
    add(Case("speed", "the car moving the slowest", [T("car", line(500, 120, 100, 120)),
             T("car", line(100, 380, 230, 380)),
                                                     T("car", line(100, 250, 550, 250))], [1]))
    add(Case("speed", "the faster bird", [T("bird", line(100, 100, 550, 120)),
             T("bird", line(300, 300, 400, 300))], [0]))
    add(Case("speed", "the person who runs the fastest",
             [T("person", line(150, 250, 270, 250)), T("person", line(500, 300, 380, 300)),
              T("person", line(80, 380, 560, 380))], [2]))

    # --- stops / starts / turns back ------------------------------------------------------------
    add(Case("temporal", "the dog that stops", [T("dog", via((0, 100, 250), (0.45, 380, 250), (1, 380, 250))),
                                                T("dog", line(100, 380, 520, 380)), T("dog", still(500, 130))], [0]))
    add(Case("temporal", "the car that started moving later",
             [T("car", via((0, 120, 150), (0.5, 120, 150), (1, 480, 150))), T("car", line(100, 330, 500, 330))], [0]))
    add(Case("temporal", "the kid who turned around",
             [T("person", via((0, 150, 250), (0.5, 420, 250), (1, 180, 250))), T("person", line(100, 380, 540, 380))],
             [0]))
    add(Case("temporal", "the person who stops walking",
             [T("person", line(500, 250, 150, 250)), T("person", via((0, 100, 350), (0.5, 350, 350), (1, 350, 350)))],
             [1]))
    add(Case("temporal", "the car that comes to a halt",
             [T("car", via((0, 550, 150), (0.5, 250, 150), (1, 250, 150))), T("car", line(100, 350, 520, 350)),
              T("car", still(450, 260))], [0]))
    add(Case("temporal", "the dog that starts running",
             [T("dog", line(100, 150, 500, 150)), T("dog", via((0, 150, 350), (0.55, 150, 350), (1, 480, 350))),
              T("dog", still(450, 260))], [1]))
    add(Case("temporal", "the horse that turns back",
             [T("horse", line(520, 150, 120, 150)), T("horse", via((0, 500, 350), (0.5, 200, 350), (1, 480, 350)))],
             [1]))
    add(Case("temporal", "the ball that bounces back",
             [T("ball", via((0, 120, 300), (0.5, 500, 300), (1, 150, 300))), T("ball", line(500, 150, 120, 150))], [0]))
    add(Case("temporal", "the car that was waiting and then drove off",
             [T("car", still(150, 150)), T("car", via((0, 150, 330), (0.5, 150, 330), (1, 500, 330))),
              T("car", line(500, 240, 120, 240))], [1]))
    add(Case("temporal", "the man who walks and then stands still",
             [T("person", via((0, 100, 250), (0.5, 360, 250), (1, 360, 250))), T("person", still(530, 300)),
              T("person", line(520, 400, 130, 400))], [0]))
    add(Case("temporal", "the dog that changes direction",
             [T("dog", line(100, 200, 500, 200)), T("dog", via((0, 480, 360), (0.5, 180, 360), (1, 450, 360)))], [1]))

    # --- relative to another object -------------------------------------------------------------
    add(Case("relation", "the dog running to the cat",
             [T("cat", still(500, 300)), T("dog", line(150, 300, 420, 300)), T("dog", line(380, 150, 120, 120))], [1]))
    add(Case("relation", "the person walking away from the car",
             [T("car", still(320, 350)), T("person", line(280, 250, 80, 150)), T("person", line(580, 150, 400, 300))],
             [1]))
    add(Case("relation", "the dog approaching the person",
             [T("person", still(150, 280)), T("dog", line(500, 380, 230, 320)),
             T("dog", line(300, 150, 550, 120))], [1]))
    add(Case("relation", "the man moving away from the dog",
             [T("dog", still(320, 400)), T("person", line(380, 330, 560, 180)), T("person", line(80, 150, 240, 330))],
             [1]))
    add(Case("relation", "the car driving toward the truck",
             [T("truck", still(500, 250)), T("car", line(100, 380, 380, 300)), T("car", line(300, 120, 90, 120))], [1]))
    add(Case("relation", "the kid running away from the dog",
             [T("dog", still(150, 350)), T("person", line(220, 300, 540, 250)), T("person", line(520, 180, 260, 300))],
             [1]))
    add(Case("relation", "the cat going towards the sofa",
             [T("couch", still(150, 380)), T("cat", line(520, 300, 280, 370)),
             T("cat", line(300, 200, 540, 130))], [1]))
    add(Case("relation", "the sheep moving closer to the dog",
             [T("dog", still(520, 350)), T("sheep", line(120, 150, 150, 100)), T("sheep", line(150, 330, 420, 340))],
             [2]))

    # --- spatial --------------------------------------------------------------------------------
    add(Case("spatial", "the leftmost cup", [T("cup", still(300, 300)), T("cup", still(90, 310)),
                                             T("cup", still(520, 305))], [1]))
    add(Case("spatial", "the second bottle from the left",
             [T("bottle", still(460, 300)), T("bottle", still(100, 300)), T("bottle", still(340, 300)),
              T("bottle", still(220, 300))], [3]))
    add(Case("spatial", "the cup on the right", [T("cup", still(150, 320)), T("cup", still(490, 300))], [1]))
    add(Case("spatial", "the top bird", [T("bird", still(200, 220)), T("bird", still(400, 70)),
                                         T("bird", still(320, 380))], [1]))
    add(Case("spatial", "the bottom car", [T("car", still(200, 120)), T("car", still(420, 400)),
                                           T("car", still(320, 250))], [1]))
    add(Case("spatial", "the dog in the middle", [T("dog", still(100, 300)), T("dog", still(540, 300)),
                                                  T("dog", still(320, 310))], [2]))
    add(Case("spatial", "the rightmost person", [T("person", still(560, 260)), T("person", still(330, 250)),
                                                 T("person", still(100, 270))], [0]))
    add(Case("spatial", "the bird at the bottom", [T("bird", still(200, 100)), T("bird", still(450, 150)),
                                                   T("bird", still(330, 420))], [2]))
    add(Case("spatial", "the second cup from the right",
             [T("cup", still(120, 300)), T("cup", still(250, 300)), T("cup", still(380, 300)),
              T("cup", still(510, 300))], [2]))
    add(Case("spatial", "the person on the left", [T("person", still(130, 260)), T("person", still(500, 250))], [0]))
    add(Case("spatial", "the lower bird", [T("bird", still(300, 100)), T("bird", still(340, 360))], [1]))
    add(Case("spatial", "the ball closest to the left edge",
             [T("ball", still(300, 300)), T("ball", still(60, 250)), T("ball", still(450, 350))], [1]))

    # --- size -----------------------------------------------------------------------------------
    add(Case("size", "the biggest box", [T("box", still(150, 300), size=(60, 60)),
             T("box", still(330, 300), size=(170, 150)),
                                         T("box", still(520, 300), size=(90, 90))], [1]))
    add(Case("size", "the smallest ball", [T("ball", still(150, 300), size=(70, 70)),
             T("ball", still(330, 300), size=(22, 22)),
                                           T("ball", still(500, 300), size=(45, 45))], [1]))
    add(Case("size", "the large dog", [T("dog", still(180, 320), size=(60, 40)),
             T("dog", still(440, 300), size=(180, 130))],
             [1]))
    add(Case("size", "the tiny cup", [T("cup", still(200, 300), size=(60, 75)),
             T("cup", still(420, 320), size=(20, 26))],
             [1]))
    add(Case("size", "the larger of the two cats", [T("cat", still(180, 300), size=(140, 100)),
                                                    T("cat", still(460, 320), size=(60, 42))], [0]))
    add(Case("size", "the small car", [T("car", still(200, 300), size=(220, 110)),
             T("car", still(480, 330), size=(80, 40))],
             [1]))

    # --- colour (from attributes) ---------------------------------------------------------------
    add(Case("color", "the red car", [T("car", still(150, 200), color="blue"), T("car", still(450, 220), color="red"),
                                      T("car", line(100, 380, 400, 380), color="white")], [1]))
    add(Case("color", "the blue mug", [T("cup", still(150, 300), color="red"), T("cup", still(330, 300), color="blue"),
                                       T("bottle", still(500, 290), color="blue")], [1]))
    add(Case("color", "the white dog", [T("dog", line(100, 300, 300, 300), color="brown"),
                                        T("dog", still(450, 350), color="white")], [1]))
    add(Case("color", "the black cat", [T("cat", still(150, 300), color="black"),
             T("cat", still(450, 300), color="orange"),
                                        T("dog", still(300, 150), color="black")], [0]))
    add(Case("color", "the green ball", [T("ball", still(150, 300), color="yellow"),
                                         T("ball", line(350, 350, 500, 300), color="green"),
                                         T("ball", still(450, 150), color="red")], [1]))
    add(Case("color", "the yellow car", [T("car", still(200, 150), color="yellow"),
             T("car", still(450, 350), color="gray")],
             [0]))
    add(Case("color", "the brown horse", [T("horse", still(150, 300), color="white"),
                                          T("horse", still(450, 300), color="brown")], [1]))

    # --- occlusion ------------------------------------------------------------------------------
    add(Case("occlusion", "the person who goes behind the truck",
             [T("truck", still(350, 270), size=(220, 140)),
              T("person", line(100, 265, 600, 265), hide=[(0.37, 0.63)]),
              T("person", line(560, 90, 300, 90))], [1]))
    add(Case("occlusion", "the dog that disappears behind the car",
             [T("car", still(320, 300), size=(200, 90)),
              T("dog", line(520, 300, 120, 300), hide=[(0.33, 0.67)]),
              T("dog", line(120, 330, 520, 330))], [1]))
    add(Case("occlusion", "the person walking behind the bus",
             [T("bus", still(300, 260)), T("person", line(560, 90, 300, 90)),
              T("person", line(80, 260, 540, 260), hide=[(0.35, 0.7)], hide_mode="invisible")], [2]))
    add(Case("occlusion", "the cat that gets hidden behind the couch",
             [T("couch", still(400, 330)), T("cat", line(150, 320, 400, 320), hide=[(0.65, 1.0)]),
              T("cat", line(120, 150, 350, 150))], [1]))

    # --- several targets ------------------------------------------------------------------------
    add(Case("multi", "the two cats on the left", [T("cat", still(90, 300)), T("cat", still(210, 320)),
                                                   T("cat", still(420, 300)), T("cat", still(550, 320))], [0, 1]))
    add(Case("multi", "every ball that moves", [T("ball", line(100, 300, 400, 300)), T("ball", still(300, 150)),
                                                T("ball", line(500, 400, 500, 150)),
                                                T("ball", still(560, 80))], [0, 2]))
    add(Case("multi", "all the moving cars", [T("car", line(100, 150, 450, 150)), T("car", still(200, 400)),
                                              T("car", line(550, 280, 200, 280)), T("car", still(500, 410))], [0, 2]))
    add(Case("multi", "the dogs running left", [T("dog", line(500, 150, 150, 150)), T("dog", line(520, 300, 200, 300)),
                                                T("dog", line(150, 400, 480, 400))], [0, 1]))
    add(Case("multi", "the two people walking to the right",
             [T("person", line(100, 200, 380, 200)), T("person", line(520, 300, 200, 300)),
              T("person", line(150, 380, 500, 380)), T("person", still(560, 150))], [0, 2]))
    add(Case("multi", "the parked cars", [T("car", still(150, 150)), T("car", line(100, 300, 500, 300)),
                                          T("car", still(470, 150)), T("person", still(320, 420))], [0, 2]))
    add(Case("multi", "the birds that are flying", [T("bird", line(100, 100, 500, 80)), T("bird", still(200, 400)),
                                                    T("bird", line(500, 250, 150, 200)), T("bird", still(450, 400))],
             [0, 2]))

    # --- camera motion (judge after compensation) -----------------------------------------------
    add(Case("camera", "the moving car",  # mover keeps pace with the pan: it looks still in the image
             [T("car", line(200, 350, 440, 350)), T("car", still(420, 150)), T("car", still(560, 250))], [0],
             pan=(-240, 0)))
    add(Case("camera", "the parked car",
             [T("car", line(550, 350, 330, 350)), T("car", still(450, 150)), T("car", line(500, 250, 360, 250))], [1],
             pan=(-150, 0)))
    add(Case("camera", "the dog going left",
             [T("dog", line(400, 300, 200, 300)), T("dog", still(250, 150)), T("dog", line(150, 400, 350, 400))], [0],
             pan=(250, 0)))
    add(Case("camera", "the person walking right",  # tracking shot: the walker stays centred
             [T("person", line(320, 260, 620, 260)), T("person", still(450, 300)),
             T("person", line(560, 350, 360, 350))],
             [0], pan=(-300, 0)))
    add(Case("camera", "the moving person",
             [T("person", line(150, 250, 450, 250)), T("person", still(200, 300)), T("person", still(450, 300))], [0],
             zoom=1.3))
    add(Case("camera", "the car that is not moving",
             [T("car", line(150, 150, 420, 170)), T("car", still(450, 320)), T("car", line(520, 400, 250, 400))], [1],
             zoom=0.8))
    add(Case("camera", "the bird flying up",
             [T("bird", line(200, 350, 220, 200)), T("bird", still(450, 200)),
             T("bird", line(350, 120, 350, 260))], [0],
             pan=(0, 160)))
    add(Case("camera", "the moving dog",
             [T("dog", line(250, 300, 450, 300)), T("dog", still(450, 150)), T("dog", still(560, 400))], [0],
             pan=(-200, 0), zoom=1.15))
    add(Case("camera", "the car that stops",
             [T("car", via((0, 100, 150), (0.45, 380, 150), (1, 380, 150))), T("car", line(50, 330, 400, 330))], [0],
             pan=(-150, 0)))
    add(Case("camera", "the faster horse",
             [T("horse", line(350, 150, 450, 150)), T("horse", line(150, 350, 450, 350))], [1], pan=(-250, 0)))
    add(Case("camera", "all the moving people",
             [T("person", line(150, 200, 400, 200)), T("person", still(300, 330)),
             T("person", line(600, 350, 450, 380)),
              T("person", still(550, 200))], [0, 2], pan=(-120, 0)))

    # --- mixed phrasing -------------------------------------------------------------------------
    add(Case("phrasing", "please track the dog on the left", [T("dog", still(130, 320)), T("dog", still(480, 300)),
                                                              T("cat", still(60, 150))], [0]))
    add(Case("phrasing", "segment the running cat", [T("cat", still(150, 300)),
             T("cat", line(200, 150, 520, 150))], [1]))
    add(Case("phrasing", "find the car heading right", [T("car", line(500, 150, 150, 150)),
                                                         T("car", line(120, 330, 480, 330))], [1]))
    add(Case("phrasing", "dog, left one", [T("dog", still(500, 300)), T("dog", still(120, 320)),
                                           T("person", still(300, 250))], [1]))
    add(Case("phrasing", "can you follow the red ball?", [T("ball", line(100, 300, 300, 300), color="blue"),
                                                          T("ball", line(500, 150, 350, 300), color="red")], [1]))
    add(Case("phrasing", "I want the fastest horse", [T("horse", line(100, 150, 200, 150)),
                                                      T("horse", line(100, 350, 540, 350))], [1]))
    add(Case("phrasing", "Locate the cup on the far right.", [T("cup", still(100, 300)), T("cup", still(300, 300)),
                                                              T("cup", still(560, 300))], [2]))
    add(Case("phrasing", "hey robot, get the mug that's moving", [T("cup", still(150, 300)),
                                                                  T("cup", line(350, 350, 520, 250))], [1]))
    add(Case("phrasing", "THE DOG GOING LEFT", [T("dog", line(150, 300, 500, 300)), T("dog", line(500, 200, 150, 200))],
             [1]))
    add(Case("phrasing", "the leftward-moving car", [T("car", line(100, 150, 450, 150)),
             T("car", line(520, 320, 150, 320)),
                                                     T("car", still(300, 420))], [1]))
    add(Case("phrasing", "track the person that is standing", [T("person", line(100, 250, 500, 250)),
                                                               T("person", still(300, 330))], [1]))
    add(Case("phrasing", "could you segment the cat that's on the right please",
             [T("cat", still(150, 320)), T("cat", still(500, 300))], [1]))
    add(Case("phrasing", "Follow the slow car.", [T("car", line(100, 150, 540, 150)),
             T("car", line(200, 330, 300, 330))],
             [1]))
    add(Case("phrasing", "the one moving to the left", [T("dog", line(150, 300, 450, 300)),
             T("cat", line(500, 150, 150, 150)),
                                                        T("person", still(320, 380))], [1]))
    add(Case("phrasing", "cup, biggest", [T("cup", still(150, 300), size=(30, 38)),
             T("cup", still(450, 300), size=(80, 100))],
             [1]))
    return c
